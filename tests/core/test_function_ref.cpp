#include <gtest/gtest.h>

#include <type_traits>

#include "phusong/core/function_ref.hpp"

namespace phusong {
namespace {

TEST(FunctionRef, CallsTheCallableItRefersToWithItsArguments) {
    int calls = 0;
    auto add = [&calls](int a, int& out) {
        ++calls;
        out = a + 1;
        return a * 2;
    };
    const FunctionRef<int(int, int&)> f = add;
    int out = 0;
    EXPECT_EQ(f(20, out), 40);
    EXPECT_EQ(out, 21);
    EXPECT_EQ(calls, 1);
    // A reference, not a copy: the lambda's state is the one seen afterwards.
    const FunctionRef<int(int, int&)> g = f;
    g(1, out);
    EXPECT_EQ(calls, 2);
    EXPECT_TRUE(static_cast<bool>(f));
    EXPECT_FALSE(static_cast<bool>(FunctionRef<void()>()));
}

TEST(FunctionRef, BindsOnlyToCallablesThatOutliveIt) {
    auto lambda = [] { return 1.5; };
    using Ref = FunctionRef<double()>;
    static_assert(std::is_constructible_v<Ref, decltype(lambda)&>);
    // A temporary would be destroyed at the end of the statement that bound it.
    static_assert(!std::is_constructible_v<Ref, decltype(lambda)>);
    static_assert(!std::is_constructible_v<Ref, decltype(lambda)&&>);
    // The signature must fit.
    auto wrong = [](const char*) { return 0; };
    static_assert(!std::is_constructible_v<Ref, decltype(wrong)&>);
    const Ref r = lambda;
    EXPECT_EQ(r(), 1.5);
}

}  // namespace
}  // namespace phusong
