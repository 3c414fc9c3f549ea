#include "candidates.h"

#include <QRegularExpression>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace sweepline::model::detail {

namespace {

constexpr qint64 kMaxCandidates = 1'000'000;
constexpr double kRelativeTolerance = 1e-9;

// Rounds to 12 significant digits so that 0.1 + 0.2 becomes 0.3 again.
double roundSignificant(double value)
{
    if (value == 0 || !std::isfinite(value))
        return value == 0 ? 0.0 : value;
    char buffer[64];
    const auto written = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 12);
    double rounded = value;
    std::from_chars(buffer, written.ptr, rounded);
    return rounded;
}

bool nearlyEqual(double a, double b)
{
    return std::fabs(a - b) <= kRelativeTolerance * std::max(std::fabs(a), std::fabs(b));
}

// ---------------------------------------------------------------------------------------------
// Range expansion

Result<QVariantList> tooManyCandidates(double count)
{
    if (!std::isfinite(count) || count >= 1e18) {
        return Result<QVariantList>::failure(
            u"expands to more candidates than the limit of %1"_s.arg(QString::number(kMaxCandidates)));
    }
    return Result<QVariantList>::failure(u"expands to %1 candidates, more than the limit of %2"_s.arg(
        QString::number(qint64(count)), QString::number(kMaxCandidates)));
}

// The i-th of count points from min to max inclusive, evenly spaced (in log10 space for log).
double spacedPoint(const ParameterRange& range, int i, int count)
{
    if (i == 0)
        return range.min;
    if (i == count - 1)
        return range.max;
    const double fraction = double(i) / double(count - 1);
    // std::lerp, unlike min + (max - min) * t, cannot overflow for bounds near the double limits.
    if (!range.log)
        return std::lerp(range.min, range.max, fraction);
    return std::pow(10.0, std::lerp(std::log10(range.min), std::log10(range.max), fraction));
}

Result<QVariantList> expandIntRange(const ParameterRange& range)
{
    QVariantList candidates;
    if (range.count) {
        if (*range.count > kMaxCandidates)
            return tooManyCandidates(*range.count);
        for (int i = 0; i < *range.count; ++i) {
            const qint64 value = std::llround(spacedPoint(range, i, *range.count));
            // Rounding to integers may merge neighbours; the points are monotonic.
            if (candidates.isEmpty() || candidates.constLast().toLongLong() != value)
                candidates.append(QVariant::fromValue(value));
        }
        return candidates;
    }
    const auto min = qint64(range.min);
    const auto max = qint64(range.max);
    const auto step = qint64(range.step.value_or(1));
    const qint64 count = (max - min) / step + 1;
    if (count > kMaxCandidates)
        return tooManyCandidates(double(count));
    for (qint64 i = 0; i < count; ++i)
        candidates.append(QVariant::fromValue(min + i * step));
    return candidates;
}

Result<QVariantList> expandFloatRange(const ParameterRange& range)
{
    std::vector<double> points;
    if (range.count) {
        if (*range.count > kMaxCandidates)
            return tooManyCandidates(*range.count);
        for (int i = 0; i < *range.count; ++i)
            points.push_back(spacedPoint(range, i, *range.count));
    } else {
        const double step = range.step.value_or(1);
        const double quotient = (range.max - range.min) / step;
        // The last step may miss max by rounding noise; count it when within the tolerance.
        const double last = std::floor(quotient * (1 + kRelativeTolerance));
        if (!(last + 1 <= double(kMaxCandidates)))
            return tooManyCandidates(last + 1);
        for (qint64 i = 0; i <= qint64(last); ++i)
            points.push_back(std::min(range.min + double(i) * step, range.max)); // i * step: no drift
    }
    QVariantList candidates;
    for (double point : points) {
        const double value = roundSignificant(point);
        if (candidates.isEmpty() || candidates.constLast().toDouble() != value)
            candidates.append(value);
    }
    return candidates;
}

} // namespace

QString quoted(const QString& text)
{
    return u'"' + text + u'"';
}

QString formatDouble(double value)
{
    if (value == 0)
        return u"0"_s; // also for -0, which would only confuse
    // Shortest round-trip digits; positional notation for ordinary magnitudes, like Python's repr.
    char buffer[400]; // room for fixed notation of any double
    auto result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
    const QByteArrayView scientific(buffer, result.ptr - buffer);
    const qsizetype e = scientific.indexOf('e');
    const int exponent = e < 0 ? 0 : QByteArray(scientific.sliced(e + 1).data(), scientific.size() - e - 1).toInt();
    if (e < 0 || exponent < -4 || exponent >= 16)
        return QString::fromLatin1(scientific);
    result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
    return QString::fromLatin1(buffer, result.ptr - buffer);
}

bool sameCandidate(const QVariant& a, const QVariant& b, ParameterType type)
{
    switch (type) {
    case ParameterType::Int:
        return a.toLongLong() == b.toLongLong();
    case ParameterType::Float:
        return nearlyEqual(a.toDouble(), b.toDouble());
    case ParameterType::Choice:
        return a.toString() == b.toString();
    }
    return false;
}

QString describeCandidate(const QVariant& value, ParameterType type)
{
    return type == ParameterType::Choice ? quoted(value.toString()) : Campaign::formatValue(value);
}

// "HH:MM:SS", "H:MM:SS", "MM:SS" or "D-HH:MM:SS", as Slurm and PJM write time limits.
std::optional<qint64> parseTimeLimit(const QString& text)
{
    static const QRegularExpression pattern(
        uR"(^(?:(\d{1,3})-(\d{1,2}):(\d\d):(\d\d)|(\d{1,4}):(\d\d):(\d\d)|(\d{1,4}):(\d\d))$)"_s);
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const auto field = [&](int group) { return match.captured(group).toLongLong(); };
    qint64 days = 0, hours = 0, minutes = 0, seconds = 0;
    if (match.hasCaptured(1)) {
        days = field(1);
        hours = field(2);
        minutes = field(3);
        seconds = field(4);
        if (hours >= 24)
            return std::nullopt;
    } else if (match.hasCaptured(5)) {
        hours = field(5);
        minutes = field(6);
        seconds = field(7);
    } else {
        minutes = field(8);
        seconds = field(9);
        if (seconds >= 60)
            return std::nullopt;
        return minutes * 60 + seconds;
    }
    if (minutes >= 60 || seconds >= 60)
        return std::nullopt;
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}

Result<QVariantList> expandRange(const ParameterRange& range, ParameterType type)
{
    return type == ParameterType::Int ? expandIntRange(range) : expandFloatRange(range);
}

} // namespace sweepline::model::detail
