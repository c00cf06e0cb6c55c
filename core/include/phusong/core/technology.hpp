#pragma once
/// @file technology.hpp
/// Radio access technologies and how each measures received signal.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace phusong {

enum class Technology { G2 = 0, G3 = 1, G4 = 2, G5 = 3 };
inline constexpr std::array<Technology, 4> kAllTechnologies = {Technology::G2, Technology::G3, Technology::G4,
                                                               Technology::G5};

/// "2G", "3G", "4G", "5G".
std::string_view toString(Technology t);
/// Parses "2G".."5G" (case-insensitive; also "gsm", "umts", "lte", "nr").
std::optional<Technology> parseTechnology(std::string_view s);

/// What the signal raster reports: "RxLev", "CPICH RSCP", "RSRP", "SS-RSRP".
std::string_view signalMeasure(Technology t);

/// Default coverage threshold, dBm: 2G -95, 3G -100, 4G -110, 5G -110.
double defaultThreshold_dBm(Technology t);

/// Default channel bandwidth, MHz: 2G 0.2, 3G 5, 4G 20, 5G 100.
double defaultBandwidth_MHz(Technology t);

/// Offset from the sector's total EIRP to the measured reference signal, dB (subtract it):
///  - 2G: 0 (RxLev is the BCCH carrier's power, transmitted at full power) [3GPP TS 45.008 §8.1.4];
///  - 3G: 10 (CPICH carries 10 % of the cell's power, the customary setting) [3GPP TS 25.215 §5.1.1];
///  - 4G: 10*log10(12*N_RB) (RSRP is the power of one resource element) [TS 36.214 §5.1.1],
///    N_RB from TS 36.101 Table 5.6-1;
///  - 5G: 10*log10(12*N_RB) at 30 kHz SCS [TS 38.215 §5.1.1], N_RB from TS 38.101-1 Table 5.3.2-1.
/// Returns nullopt for a 4G/5G bandwidth that the tables do not list.
std::optional<double> referenceSignalOffset_dB(Technology t, double bandwidth_MHz);

/// The bandwidths the tables list for @p t, for error messages.
std::string validBandwidths(Technology t);

}  // namespace phusong
