#pragma once
/// @file function_ref.hpp
/// A non-owning reference to a callable (what C++26 names std::function_ref): two pointers, no
/// heap allocation, one indirect call. For callbacks handed down a call chain per pixel, where
/// std::function would allocate whenever the captures pass its small buffer (16 bytes in
/// libstdc++). It binds to lvalues only, so it cannot be left pointing at a destroyed temporary:
/// name the lambda first, then hand it over.

#include <memory>
#include <type_traits>
#include <utility>

namespace phusong {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
public:
    FunctionRef() = default;

    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> && std::is_invocable_r_v<R, F&, Args...>)
    FunctionRef(F& f) noexcept  // NOLINT(google-explicit-constructor): binds like a reference
        : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* o, Args... a) -> R { return (*static_cast<F*>(o))(std::forward<Args>(a)...); }) {}

    R operator()(Args... a) const { return call_(obj_, std::forward<Args>(a)...); }
    explicit operator bool() const noexcept { return call_ != nullptr; }

private:
    void* obj_ = nullptr;
    R (*call_)(void*, Args...) = nullptr;
};

}  // namespace phusong
