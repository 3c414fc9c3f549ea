#include "model/campaign.h"

#include "model/commandtemplate.h"
#include "tuning/strategy.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

// ordered_json keeps key order (for document-ordered issues and toJson) and tells 16 from 16.0.
using Json = nlohmann::ordered_json;

constexpr qint64 kMaxCandidates = 1'000'000;
constexpr double kRelativeTolerance = 1e-9;
// Int range bounds travel as doubles in ParameterRange; beyond 2^53 they would lose digits.
constexpr qint64 kMaxExactInteger = qint64(1) << 53;
// Campaign files are shallow; anything deeper is a mistake and must not exhaust the stack later.
constexpr std::size_t kMaxDepth = 64;
constexpr qint64 kMaxFileSize = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Small text helpers

QString toQString(const std::string& text)
{
    return QString::fromStdString(text);
}

QString quoted(const QString& text)
{
    return u'"' + text + u'"';
}

QString typeName(const Json& value)
{
    if (value.is_null())
        return u"null"_s;
    if (value.is_boolean())
        return u"a boolean"_s;
    if (value.is_number_integer())
        return u"an integer"_s;
    if (value.is_number())
        return u"a number"_s;
    if (value.is_string())
        return u"a string"_s;
    if (value.is_array())
        return u"an array"_s;
    if (value.is_object())
        return u"an object"_s;
    return u"binary data"_s;
}

QString mustBe(const QString& what, const Json& value)
{
    return u"must be %1, not %2"_s.arg(what, typeName(value));
}

// "a" | "a" or "b" | one of "a", "b" or "c"
QString alternatives(const QStringList& names)
{
    QStringList texts;
    for (const QString& name : names)
        texts.append(quoted(name));
    if (texts.size() <= 1)
        return texts.value(0);
    const QString last = texts.takeLast();
    const QString list = texts.join(u", "_s) + u" or "_s + last;
    return texts.size() == 1 ? list : u"one of "_s + list;
}

// Optimal string alignment distance: Levenshtein plus swaps of neighbours, the commonest typo.
int editDistance(const QString& a, const QString& b)
{
    const auto rows = std::size_t(a.size()) + 1;
    const auto columns = std::size_t(b.size()) + 1;
    std::vector<int> d(rows * columns);
    const auto at = [columns](std::size_t i, std::size_t j) { return i * columns + j; };
    for (std::size_t i = 0; i < rows; ++i)
        d[at(i, 0)] = int(i);
    for (std::size_t j = 0; j < columns; ++j)
        d[at(0, j)] = int(j);
    for (std::size_t i = 1; i < rows; ++i) {
        for (std::size_t j = 1; j < columns; ++j) {
            const int cost = a.at(qsizetype(i - 1)) == b.at(qsizetype(j - 1)) ? 0 : 1;
            d[at(i, j)] = std::min({d[at(i - 1, j)] + 1, d[at(i, j - 1)] + 1, d[at(i - 1, j - 1)] + cost});
            if (i > 1 && j > 1 && a.at(qsizetype(i - 1)) == b.at(qsizetype(j - 2))
                && a.at(qsizetype(i - 2)) == b.at(qsizetype(j - 1)))
                d[at(i, j)] = std::min(d[at(i, j)], d[at(i - 2, j - 2)] + 1);
        }
    }
    return d.back();
}

// The known key a typo most likely meant, or empty. Short keys get less slack, or "foo" would
// suggest "log".
QString closestKey(const QString& key, const QStringList& known)
{
    QString best;
    int bestDistance = (key.size() <= 3 ? 1 : 2) + 1;
    for (const QString& candidate : known) {
        const int distance = editDistance(key.toLower(), candidate.toLower());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
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

bool containsLineBreakOrNul(const QString& text)
{
    return text.contains(u'\n') || text.contains(u'\r') || text.contains(QChar(u'\0'));
}

QString typeKeyword(ParameterType type)
{
    switch (type) {
    case ParameterType::Int:
        return u"int"_s;
    case ParameterType::Float:
        return u"float"_s;
    case ParameterType::Choice:
        return u"choice"_s;
    }
    return {};
}

QString directionKeyword(Direction direction)
{
    return direction == Direction::Maximize ? u"maximize"_s : u"minimize"_s;
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

Result<QVariantList> expandRange(const ParameterRange& range, ParameterType type)
{
    return type == ParameterType::Int ? expandIntRange(range) : expandFloatRange(range);
}

// ---------------------------------------------------------------------------------------------
// Issue locations

// Where an issue is: the JSON path users read, and the document position issues are sorted by.
struct Location {
    QString path;
    QList<int> order;

    Location key(const QString& name, int index) const
    {
        return {path.isEmpty() ? name : path + u'.' + name, order + QList<int>{index}};
    }
    Location element(int index) const
    {
        return {path + u'[' + QString::number(index) + u']', order + QList<int>{index}};
    }
    // For a problem of an object as a whole: sorts after everything inside it.
    Location end() const { return {path, order + QList<int>{std::numeric_limits<int>::max()}}; }
};

struct Issue {
    Location where;
    QString message;
};

// ---------------------------------------------------------------------------------------------
// Syntax pass: finds what the DOM parser forgives (a repeated key silently keeps its last value),
// locates syntax errors and refuses absurd nesting before a DOM is built.

class SyntaxChecker final : public nlohmann::json_sax<Json> {
public:
    explicit SyntaxChecker(QByteArrayView text) : m_text(text) {}

    const QList<Issue>& issues() const { return m_issues; }
    std::optional<ValidationIssue> fatal() const { return m_fatal; }

    bool null() override { return beginValue(); }
    bool boolean(bool) override { return beginValue(); }
    bool number_integer(number_integer_t) override { return beginValue(); }
    bool number_unsigned(number_unsigned_t) override { return beginValue(); }
    bool number_float(number_float_t, const string_t&) override { return beginValue(); }
    bool string(string_t&) override { return beginValue(); }
    bool binary(binary_t&) override { return beginValue(); }
    bool start_object(std::size_t) override { return beginContainer(false); }
    bool start_array(std::size_t) override { return beginContainer(true); }
    bool end_object() override { return endContainer(); }
    bool end_array() override { return endContainer(); }

    bool key(string_t& name) override
    {
        Frame& frame = m_frames.back();
        const auto found = std::find(frame.keys.begin(), frame.keys.end(), name);
        frame.keyIndex = int(found - frame.keys.begin());
        if (found == frame.keys.end())
            frame.keys.push_back(name);
        else
            m_issues.append({frame.where.key(toQString(name), frame.keyIndex), u"duplicate key"_s});
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& error) override
    {
        m_fatal = ValidationIssue{{}, describeSyntaxError(position, QString::fromUtf8(error.what()))};
        return false;
    }

private:
    struct Frame {
        bool isArray = false;
        Location where;
        int elementIndex = -1;
        int keyIndex = -1;
        std::vector<std::string> keys;
    };

    bool beginValue()
    {
        if (!m_frames.empty() && m_frames.back().isArray)
            ++m_frames.back().elementIndex;
        return true;
    }

    bool beginContainer(bool isArray)
    {
        beginValue();
        if (m_frames.size() >= kMaxDepth) {
            m_fatal = ValidationIssue{{}, u"invalid JSON: nested more than %1 levels deep"_s.arg(kMaxDepth)};
            return false;
        }
        Location where;
        if (!m_frames.empty()) {
            const Frame& parent = m_frames.back();
            where = parent.isArray
                ? parent.where.element(parent.elementIndex)
                : parent.where.key(toQString(parent.keys[std::size_t(parent.keyIndex)]), parent.keyIndex);
        }
        m_frames.push_back({isArray, where, -1, -1, {}});
        return true;
    }

    bool endContainer()
    {
        m_frames.pop_back();
        return true;
    }

    // nlohmann counts bytes; users count lines and characters.
    QString describeSyntaxError(std::size_t position, const QString& what) const
    {
        const qsizetype offset = std::clamp<qsizetype>(qsizetype(position) - 1, 0, m_text.size());
        int line = 1;
        int column = 1;
        const qsizetype start = m_text.startsWith("\xEF\xBB\xBF") ? 3 : 0; // a byte order mark takes no column
        for (qsizetype i = start; i < offset; ++i) {
            const auto byte = static_cast<unsigned char>(m_text[i]);
            if (byte == '\n') {
                ++line;
                column = 1;
            } else if ((byte & 0xC0) != 0x80) { // not a UTF-8 continuation byte
                ++column;
            }
        }
        // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
        QString reason = what;
        const qsizetype columnText = reason.indexOf(u"column "_s);
        const qsizetype colon = columnText >= 0 ? reason.indexOf(u": "_s, columnText) : reason.indexOf(u"] "_s);
        if (colon >= 0)
            reason = reason.mid(colon + 2);
        reason.remove(QChar(0xFEFF)); // nlohmann quotes the byte order mark in "last read"
        return u"invalid JSON at line %1, column %2: %3"_s.arg(QString::number(line), QString::number(column),
                                                               reason);
    }

    QByteArrayView m_text;
    std::vector<Frame> m_frames;
    QList<Issue> m_issues;
    std::optional<ValidationIssue> m_fatal;
};

// ---------------------------------------------------------------------------------------------
// Validation pass

class CampaignReader {
public:
    explicit CampaignReader(QString sourcePath) : m_sourcePath(std::move(sourcePath)) {}

    void addIssues(const QList<Issue>& issues) { m_issues += issues; }
    ParseOutcome read(const Json& root);

private:
    struct Member {
        const Json* value = nullptr;
        Location where;
        explicit operator bool() const { return value != nullptr; }
        const Json& operator*() const { return *value; }
        const Json* operator->() const { return value; }
    };

    enum class Emptiness { Forbidden, Allowed };

    void fail(const Location& where, const QString& message) { m_issues.append({where, message}); }
    ParseOutcome finish();

    // Structure
    static Member member(const Json& object, const Location& where, const char* key);
    bool isObject(const Json& value, const Location& where);
    bool isArray(const Json& value, const Location& where);
    void checkKeys(const Json& object, const Location& where, const QStringList& known,
                   const QStringList& required = {});

    // Scalars: each reports its own problem and returns nullopt.
    std::optional<QString> readString(const Member& m, Emptiness emptiness = Emptiness::Forbidden);
    std::optional<qint64> readInteger(const Member& m);
    std::optional<qint64> readExactInteger(const Member& m);
    std::optional<int> readCountAtLeast(const Member& m, int minimum);
    std::optional<double> readNumber(const Member& m);
    std::optional<bool> readBoolean(const Member& m);
    std::optional<QVariant> readCandidate(const Member& m, ParameterType type);

    // Sections
    void readName(const Member& m);
    void readParameters(const Member& m);
    void readParameter(const Json& object, const Location& where, Parameter& parameter);
    void readParameterName(const Member& m, Parameter& parameter);
    std::optional<ParameterType> readParameterType(const Member& m);
    bool readValues(const Member& m, Parameter& parameter);
    bool readRange(const Member& m, Parameter& parameter);
    bool checkRangeShape(const Json& object, const Location& where, ParameterType type);
    void readDefault(const Member& m, Parameter& parameter, bool haveCandidates);
    void readObjective(const Member& m);
    void readPattern(const Member& m);
    void readSearch(const Member& m);
    void readJob(const Member& m);
    void readCommand(const Member& m);
    void readFiles(const Member& m);
    void readTimeLimit(const Member& m);
    void readCluster(const Member& m);
    void checkPlaceholders();

    QString m_sourcePath;
    Campaign m_campaign;
    QList<Issue> m_issues;

    // Names of all parameters, also of those with other problems, so that placeholders referring to
    // them do not pile up follow-on issues.
    QHash<QString, int> m_parameterNames;
    bool m_parametersKnown = false;
    std::optional<CommandTemplate> m_command;
    Location m_commandWhere;
};

CampaignReader::Member CampaignReader::member(const Json& object, const Location& where, const char* key)
{
    int index = 0;
    for (auto it = object.begin(); it != object.end(); ++it, ++index) {
        if (it.key() == key)
            return {&it.value(), where.key(QString::fromUtf8(key), index)};
    }
    return {nullptr, where.key(QString::fromUtf8(key), index)};
}

bool CampaignReader::isObject(const Json& value, const Location& where)
{
    if (value.is_object())
        return true;
    fail(where, mustBe(u"an object"_s, value));
    return false;
}

bool CampaignReader::isArray(const Json& value, const Location& where)
{
    if (value.is_array())
        return true;
    fail(where, mustBe(u"an array"_s, value));
    return false;
}

void CampaignReader::checkKeys(const Json& object, const Location& where, const QStringList& known,
                               const QStringList& required)
{
    int index = 0;
    QSet<QString> present;
    for (auto it = object.begin(); it != object.end(); ++it, ++index) {
        const QString key = toQString(it.key());
        present.insert(key);
        if (known.contains(key))
            continue;
        const QString suggestion = closestKey(key, known);
        fail(where.key(key, index), suggestion.isEmpty() ? u"unknown key"_s
                                                         : u"unknown key (did you mean %1?)"_s.arg(quoted(suggestion)));
    }
    for (const QString& key : required) {
        if (!present.contains(key))
            fail(where.key(key, index++), u"is required"_s);
    }
}

std::optional<QString> CampaignReader::readString(const Member& m, Emptiness emptiness)
{
    if (!m->is_string()) {
        fail(m.where, mustBe(u"a string"_s, *m));
        return std::nullopt;
    }
    const QString text = toQString(m->get_ref<const std::string&>());
    if (text.isEmpty() && emptiness == Emptiness::Forbidden) {
        fail(m.where, u"must not be empty"_s);
        return std::nullopt;
    }
    // Strings end up in job scripts, where a line break would start a new command.
    if (containsLineBreakOrNul(text)) {
        fail(m.where, u"must not contain a newline or NUL character"_s);
        return std::nullopt;
    }
    return text;
}

std::optional<qint64> CampaignReader::readInteger(const Member& m)
{
    if (m->is_number_float()) {
        fail(m.where, u"must be an integer"_s);
        return std::nullopt;
    }
    if (!m->is_number_integer()) {
        fail(m.where, mustBe(u"an integer"_s, *m));
        return std::nullopt;
    }
    if (m->is_number_unsigned() && m->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<qint64>::max())) {
        fail(m.where, u"must be at most %1"_s.arg(std::numeric_limits<qint64>::max()));
        return std::nullopt;
    }
    return m->get<std::int64_t>();
}

std::optional<qint64> CampaignReader::readExactInteger(const Member& m)
{
    const std::optional<qint64> value = readInteger(m);
    if (value && (*value > kMaxExactInteger || *value < -kMaxExactInteger)) {
        fail(m.where, u"must be between %1 and %2"_s.arg(-kMaxExactInteger).arg(kMaxExactInteger));
        return std::nullopt;
    }
    return value;
}

std::optional<int> CampaignReader::readCountAtLeast(const Member& m, int minimum)
{
    const std::optional<qint64> value = readInteger(m);
    if (!value)
        return std::nullopt;
    if (*value < minimum) {
        fail(m.where, u"must be at least %1"_s.arg(minimum));
        return std::nullopt;
    }
    if (*value > std::numeric_limits<int>::max()) {
        fail(m.where, u"must be at most %1"_s.arg(std::numeric_limits<int>::max()));
        return std::nullopt;
    }
    return int(*value);
}

std::optional<double> CampaignReader::readNumber(const Member& m)
{
    if (!m->is_number()) {
        fail(m.where, mustBe(u"a number"_s, *m));
        return std::nullopt;
    }
    return m->get<double>();
}

std::optional<bool> CampaignReader::readBoolean(const Member& m)
{
    if (!m->is_boolean()) {
        fail(m.where, mustBe(u"true or false"_s, *m));
        return std::nullopt;
    }
    return m->get<bool>();
}

std::optional<QVariant> CampaignReader::readCandidate(const Member& m, ParameterType type)
{
    switch (type) {
    case ParameterType::Int:
        if (const auto value = readInteger(m))
            return QVariant::fromValue(*value);
        return std::nullopt;
    case ParameterType::Float:
        if (const auto value = readNumber(m))
            return QVariant(*value);
        return std::nullopt;
    case ParameterType::Choice:
        // An empty choice is legitimate: it renders as '' in the command.
        if (const auto value = readString(m, Emptiness::Allowed))
            return QVariant(*value);
        return std::nullopt;
    }
    return std::nullopt;
}

// --- top level ---

ParseOutcome CampaignReader::read(const Json& root)
{
    const Location top;
    if (!root.is_object()) {
        fail(top, u"a campaign must be a JSON object, not %1"_s.arg(typeName(root)));
        return finish();
    }
    checkKeys(root, top, {u"name"_s, u"parameters"_s, u"objective"_s, u"search"_s, u"job"_s, u"cluster"_s},
              {u"name"_s, u"parameters"_s, u"objective"_s, u"job"_s});
    if (const Member m = member(root, top, "name"))
        readName(m);
    if (const Member m = member(root, top, "parameters"))
        readParameters(m);
    if (const Member m = member(root, top, "objective"))
        readObjective(m);
    if (const Member m = member(root, top, "search"))
        readSearch(m);
    if (const Member m = member(root, top, "job"))
        readJob(m);
    if (const Member m = member(root, top, "cluster"))
        readCluster(m);
    checkPlaceholders();
    return finish();
}

ParseOutcome CampaignReader::finish()
{
    // Sections are read in a fixed order; users expect the problems in the order of their file.
    std::stable_sort(m_issues.begin(), m_issues.end(),
                     [](const Issue& a, const Issue& b) { return a.where.order < b.where.order; });
    ParseOutcome outcome;
    for (const Issue& issue : std::as_const(m_issues))
        outcome.issues.append({issue.where.path, issue.message});
    if (outcome.issues.isEmpty()) {
        if (!m_sourcePath.isEmpty())
            m_campaign.sourcePath = QFileInfo(m_sourcePath).absoluteFilePath();
        outcome.campaign = m_campaign;
    }
    return outcome;
}

void CampaignReader::readName(const Member& m)
{
    const std::optional<QString> name = readString(m);
    if (!name)
        return;
    // The name becomes a folder on clusters: keep it to portable file-name characters.
    static const QRegularExpression allowed(u"^[A-Za-z0-9._-]+$"_s);
    if (!allowed.match(*name).hasMatch())
        fail(m.where, u"may only contain letters, digits, '.', '_' and '-'"_s);
    else if (name->startsWith(u'.') || name->startsWith(u'-'))
        fail(m.where, u"must not start with '.' or '-'"_s);
    else
        m_campaign.name = *name;
}

// --- parameters ---

void CampaignReader::readParameters(const Member& m)
{
    if (!isArray(*m, m.where))
        return;
    if (m->empty()) {
        fail(m.where, u"must not be empty"_s);
        return;
    }
    m_parametersKnown = true;
    for (std::size_t i = 0; i < m->size(); ++i) {
        Parameter parameter;
        readParameter((*m)[i], m.where.element(int(i)), parameter);
        m_campaign.parameters.append(parameter);
    }
}

void CampaignReader::readParameter(const Json& object, const Location& where, Parameter& parameter)
{
    if (!isObject(object, where))
        return;
    checkKeys(object, where, {u"name"_s, u"type"_s, u"values"_s, u"range"_s, u"default"_s},
              {u"name"_s, u"type"_s});
    if (const Member m = member(object, where, "name"))
        readParameterName(m, parameter);

    std::optional<ParameterType> type;
    if (const Member m = member(object, where, "type"))
        type = readParameterType(m);
    if (!type)
        return; // values, range and default mean nothing without a type
    parameter.type = *type;

    const Member values = member(object, where, "values");
    const Member range = member(object, where, "range");
    bool haveCandidates = false;
    if (values && range)
        fail(where.end(), u"give either \"values\" or \"range\", not both"_s);
    else if (range && *type == ParameterType::Choice)
        fail(range.where, u"not allowed for a choice parameter; list its \"values\""_s);
    else if (values)
        haveCandidates = readValues(values, parameter);
    else if (range)
        haveCandidates = readRange(range, parameter);
    else
        fail(where.end(), *type == ParameterType::Choice ? u"needs \"values\""_s : u"needs \"values\" or \"range\""_s);

    if (const Member m = member(object, where, "default"))
        readDefault(m, parameter, haveCandidates);
}

void CampaignReader::readParameterName(const Member& m, Parameter& parameter)
{
    const std::optional<QString> name = readString(m);
    if (!name)
        return;
    static const QRegularExpression identifier(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    if (!identifier.match(*name).hasMatch()) {
        fail(m.where, u"must start with a letter or '_' and contain only letters, digits and '_'"_s);
        return;
    }
    const int index = int(m_campaign.parameters.size());
    if (const auto first = m_parameterNames.constFind(*name); first != m_parameterNames.cend()) {
        fail(m.where, u"duplicate name; parameters[%1] is already called %2"_s.arg(QString::number(*first),
                                                                                    quoted(*name)));
        return;
    }
    m_parameterNames.insert(*name, index);
    parameter.name = *name;
}

std::optional<ParameterType> CampaignReader::readParameterType(const Member& m)
{
    const std::optional<QString> text = readString(m);
    if (!text)
        return std::nullopt;
    if (*text == u"int")
        return ParameterType::Int;
    if (*text == u"float")
        return ParameterType::Float;
    if (*text == u"choice")
        return ParameterType::Choice;
    fail(m.where, u"must be %1, not %2"_s.arg(alternatives({u"int"_s, u"float"_s, u"choice"_s}), quoted(*text)));
    return std::nullopt;
}

bool CampaignReader::readValues(const Member& m, Parameter& parameter)
{
    if (!isArray(*m, m.where))
        return false;
    if (m->empty()) {
        fail(m.where, u"must not be empty"_s);
        return false;
    }
    bool ok = true;
    QVariantList values;
    QList<int> sourceIndexes; // of values, for naming the original of a duplicate
    for (std::size_t i = 0; i < m->size(); ++i) {
        const Member element{&(*m)[i], m.where.element(int(i))};
        const std::optional<QVariant> value = readCandidate(element, parameter.type);
        if (!value) {
            ok = false;
            continue;
        }
        const auto duplicate = std::find_if(values.cbegin(), values.cend(), [&](const QVariant& seen) {
            return sameCandidate(seen, *value, parameter.type);
        });
        if (duplicate != values.cend()) {
            fail(element.where, u"duplicate of values[%1]"_s.arg(sourceIndexes.at(duplicate - values.cbegin())));
            ok = false;
            continue;
        }
        values.append(*value);
        sourceIndexes.append(int(i));
    }
    if (!ok)
        return false;
    parameter.listedValues = values;
    parameter.candidates = values;
    return true;
}

bool CampaignReader::readRange(const Member& m, Parameter& parameter)
{
    if (!isObject(*m, m.where))
        return false;
    const bool isInt = parameter.type == ParameterType::Int;
    checkKeys(*m, m.where, {u"min"_s, u"max"_s, u"step"_s, u"count"_s, u"log"_s}, {u"min"_s, u"max"_s});

    bool ok = true;
    const auto readBound = [&](const char* key) -> std::optional<double> {
        const Member bound = member(*m, m.where, key);
        if (!bound)
            return std::nullopt; // reported by checkKeys
        std::optional<double> value;
        if (isInt) {
            if (const auto integer = readExactInteger(bound))
                value = double(*integer);
        } else {
            value = readNumber(bound);
        }
        ok = ok && value.has_value();
        return value;
    };
    ParameterRange range;
    const std::optional<double> min = readBound("min");
    const std::optional<double> max = readBound("max");
    if (const Member step = member(*m, m.where, "step")) {
        range.step = readBound("step");
        if (range.step && *range.step <= 0) {
            fail(step.where, u"must be greater than 0"_s);
            ok = false;
        }
    }
    const Member count = member(*m, m.where, "count");
    if (count) {
        if (const auto value = readCountAtLeast(count, 2))
            range.count = *value;
        else
            ok = false;
    }
    const Member log = member(*m, m.where, "log");
    if (log) {
        const std::optional<bool> value = readBoolean(log);
        range.log = value.value_or(false);
        ok = ok && value.has_value();
    }
    if (!min || !max)
        ok = false;

    ok = checkRangeShape(*m, m.where, parameter.type) && ok;
    if (range.log && min && *min <= 0) {
        fail(member(*m, m.where, "min").where, u"must be greater than 0 when \"log\" is true"_s);
        ok = false;
    }
    if (min && max && *min >= *max) {
        fail(m.where.end(), u"min must be less than max"_s);
        ok = false;
    }
    if (!ok)
        return false;

    range.min = *min;
    range.max = *max;
    Result<QVariantList> candidates = expandRange(range, parameter.type);
    if (!candidates) {
        fail(m.where.end(), candidates.error());
        return false;
    }
    parameter.range = range;
    parameter.candidates = std::move(candidates).value();
    return true;
}

// How step, count and log combine; reported on the range as a whole.
bool CampaignReader::checkRangeShape(const Json& object, const Location& where, ParameterType type)
{
    const bool hasStep = object.contains("step");
    const bool hasCount = object.contains("count");
    const Json* log = object.contains("log") ? &object.at("log") : nullptr;
    const bool isLog = log && log->is_boolean() && log->get<bool>();
    QString problem;
    if (hasStep && hasCount)
        problem = u"give either \"step\" or \"count\", not both"_s;
    else if (isLog && hasStep)
        problem = u"\"step\" cannot be combined with \"log\"; give a \"count\""_s;
    else if (isLog && !hasCount)
        problem = u"needs a \"count\" when \"log\" is true"_s;
    else if (type == ParameterType::Float && !hasStep && !hasCount)
        problem = u"needs a \"step\" or a \"count\""_s;
    if (problem.isEmpty())
        return true;
    fail(where.end(), problem);
    return false;
}

void CampaignReader::readDefault(const Member& m, Parameter& parameter, bool haveCandidates)
{
    const std::optional<QVariant> value = readCandidate(m, parameter.type);
    if (!value)
        return;
    parameter.defaultValue = *value;
    if (!haveCandidates)
        return;
    // The closest candidate wins: float ranges may hold neighbours within the tolerance.
    std::optional<int> best;
    for (int i = 0; i < parameter.candidates.size(); ++i) {
        if (!sameCandidate(parameter.candidates.at(i), *value, parameter.type))
            continue;
        const auto distance = [&](int index) {
            return std::fabs(parameter.candidates.at(index).toDouble() - value->toDouble());
        };
        if (!best || distance(i) < distance(*best))
            best = i;
    }
    if (best)
        parameter.defaultIndex = best;
    else
        fail(m.where, u"%1 is not one of the candidates"_s.arg(describeCandidate(*value, parameter.type)));
}

// --- objective, search ---

void CampaignReader::readObjective(const Member& m)
{
    if (!isObject(*m, m.where))
        return;
    checkKeys(*m, m.where, {u"metric"_s, u"direction"_s, u"pattern"_s}, {u"metric"_s});
    Objective& objective = m_campaign.objective;
    if (const Member metric = member(*m, m.where, "metric"))
        objective.metric = readString(metric).value_or(QString());
    if (const Member direction = member(*m, m.where, "direction")) {
        const std::optional<QString> text = readString(direction);
        if (text == u"minimize")
            objective.direction = Direction::Minimize;
        else if (text == u"maximize")
            objective.direction = Direction::Maximize;
        else if (text)
            fail(direction.where,
                 u"must be %1, not %2"_s.arg(alternatives({u"minimize"_s, u"maximize"_s}), quoted(*text)));
    }
    if (const Member pattern = member(*m, m.where, "pattern"))
        readPattern(pattern);
}

void CampaignReader::readPattern(const Member& m)
{
    const std::optional<QString> pattern = readString(m);
    if (!pattern)
        return;
    const QRegularExpression expression(*pattern);
    if (!expression.isValid()) {
        fail(m.where, u"invalid regular expression: %1 at offset %2"_s.arg(
                          expression.errorString(), QString::number(expression.patternErrorOffset())));
        return;
    }
    // The one group is the metric's value; more would leave it ambiguous.
    if (expression.captureCount() != 1) {
        fail(m.where, u"must have exactly one capture group, not %1"_s.arg(expression.captureCount()));
        return;
    }
    m_campaign.objective.pattern = *pattern;
}

void CampaignReader::readSearch(const Member& m)
{
    if (!isObject(*m, m.where))
        return;
    checkKeys(*m, m.where, {u"strategy"_s, u"max_trials"_s, u"parallel"_s, u"seed"_s});
    SearchSettings& search = m_campaign.search;
    if (const Member strategy = member(*m, m.where, "strategy")) {
        if (const std::optional<QString> name = readString(strategy)) {
            QStringList known;
            for (const std::string& candidate : tuning::strategyNames())
                known.append(toQString(candidate));
            if (known.contains(*name))
                search.strategy = *name;
            else
                fail(strategy.where, u"must be %1, not %2"_s.arg(alternatives(known), quoted(*name)));
        }
    }
    if (const Member maxTrials = member(*m, m.where, "max_trials"))
        search.maxTrials = readCountAtLeast(maxTrials, 1).value_or(search.maxTrials);
    if (const Member parallel = member(*m, m.where, "parallel"))
        search.parallel = readCountAtLeast(parallel, 1).value_or(search.parallel);
    if (const Member seed = member(*m, m.where, "seed")) {
        if (seed->is_number_unsigned()) {
            search.seed = seed->get<std::uint64_t>(); // the full 64 bits, beyond qint64
        } else if (const std::optional<qint64> value = readInteger(seed)) {
            if (*value < 0)
                fail(seed.where, u"must not be negative"_s);
            else
                search.seed = quint64(*value);
        }
    }
}

// --- job ---

void CampaignReader::readJob(const Member& m)
{
    if (!isObject(*m, m.where))
        return;
    checkKeys(*m, m.where, {u"command"_s, u"files"_s, u"time_limit"_s}, {u"command"_s});
    if (const Member command = member(*m, m.where, "command"))
        readCommand(command);
    if (const Member files = member(*m, m.where, "files"))
        readFiles(files);
    if (const Member timeLimit = member(*m, m.where, "time_limit"))
        readTimeLimit(timeLimit);
}

void CampaignReader::readCommand(const Member& m)
{
    const std::optional<QString> command = readString(m);
    if (!command)
        return;
    Result<CommandTemplate> parsed = CommandTemplate::parse(*command);
    if (!parsed) {
        fail(m.where, parsed.error());
        return;
    }
    m_campaign.job.command = *command;
    m_command = std::move(parsed).value();
    m_commandWhere = m.where;
}

void CampaignReader::readFiles(const Member& m)
{
    if (!isArray(*m, m.where))
        return;
    const QDir base = m_sourcePath.isEmpty() ? QDir() : QFileInfo(m_sourcePath).absoluteDir();
    QHash<QString, int> seen; // cleaned path -> index
    for (std::size_t i = 0; i < m->size(); ++i) {
        const Member element{&(*m)[i], m.where.element(int(i))};
        const std::optional<QString> file = readString(element);
        if (!file)
            continue;
        // Files are copied next to the job; they must stay inside the campaign's folder.
        if (file->startsWith(u'/')) {
            fail(element.where, u"must be a relative path"_s);
            continue;
        }
        if (file->split(u'/').contains(u".."_s)) {
            fail(element.where, u"must not contain \"..\""_s);
            continue;
        }
        const QString cleaned = QDir::cleanPath(*file);
        if (const auto first = seen.constFind(cleaned); first != seen.cend()) {
            fail(element.where, u"duplicate of files[%1]"_s.arg(*first));
            continue;
        }
        seen.insert(cleaned, int(i));
        if (!m_sourcePath.isEmpty()) {
            const QString absolute = QDir::cleanPath(base.absoluteFilePath(*file));
            if (!QFileInfo::exists(absolute)) {
                fail(element.where, u"file not found: "_s + absolute);
                continue;
            }
        }
        m_campaign.job.files.append(*file);
    }
}

void CampaignReader::readTimeLimit(const Member& m)
{
    const std::optional<QString> text = readString(m);
    if (!text)
        return;
    const std::optional<qint64> seconds = parseTimeLimit(*text);
    if (!seconds) {
        fail(m.where, u"%1 is not a time limit; write HH:MM:SS, MM:SS or D-HH:MM:SS"_s.arg(quoted(*text)));
        return;
    }
    if (*seconds <= 0) {
        fail(m.where, u"must be longer than zero"_s);
        return;
    }
    m_campaign.job.timeLimit = *text;
    m_campaign.job.timeLimitSeconds = seconds;
}

// --- cluster ---

// Every cluster key is read here; the remote issue adds host, port, user, ... as further entries.
void CampaignReader::readCluster(const Member& m)
{
    if (!isObject(*m, m.where))
        return;
    checkKeys(*m, m.where, {u"scheduler"_s});
    ClusterSettings& cluster = m_campaign.cluster;
    if (const Member scheduler = member(*m, m.where, "scheduler")) {
        const std::optional<QString> name = readString(scheduler);
        if (!name)
            return;
        if (!knownSchedulers().contains(*name))
            fail(scheduler.where, u"must be %1, not %2"_s.arg(alternatives(knownSchedulers()), quoted(*name)));
        else if (*name != u"local")
            fail(scheduler.where, u"%1 is not supported yet; use \"local\""_s.arg(quoted(*name)));
        else
            cluster.scheduler = *name;
    }
}

void CampaignReader::checkPlaceholders()
{
    if (!m_command || !m_parametersKnown)
        return;
    for (const QString& name : m_command->placeholders()) {
        if (!m_parameterNames.contains(name))
            fail(m_commandWhere, u"placeholder {%1} names no parameter"_s.arg(name));
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

std::string toStd(const QString& text)
{
    return text.toStdString();
}

Json candidateJson(const QVariant& value, ParameterType type)
{
    switch (type) {
    case ParameterType::Int:
        return std::int64_t(value.toLongLong());
    case ParameterType::Float:
        return value.toDouble();
    case ParameterType::Choice:
        return toStd(value.toString());
    }
    return nullptr;
}

Json rangeJson(const ParameterRange& range, ParameterType type)
{
    const auto number = [type](double value) -> Json {
        return type == ParameterType::Int ? Json(std::int64_t(value)) : Json(value);
    };
    Json json = Json::object();
    json["min"] = number(range.min);
    json["max"] = number(range.max);
    if (range.step)
        json["step"] = number(*range.step);
    if (range.count)
        json["count"] = *range.count;
    if (range.log)
        json["log"] = true;
    return json;
}

Json parameterJson(const Parameter& parameter)
{
    Json json = Json::object();
    json["name"] = toStd(parameter.name);
    json["type"] = toStd(typeKeyword(parameter.type));
    if (parameter.range) {
        json["range"] = rangeJson(*parameter.range, parameter.type);
    } else {
        Json values = Json::array();
        for (const QVariant& value : parameter.listedValues)
            values.push_back(candidateJson(value, parameter.type));
        json["values"] = values;
    }
    if (parameter.defaultValue.isValid())
        json["default"] = candidateJson(parameter.defaultValue, parameter.type);
    return json;
}

Json campaignJson(const Campaign& campaign)
{
    Json json = Json::object();
    json["name"] = toStd(campaign.name);
    json["parameters"] = Json::array();
    for (const Parameter& parameter : campaign.parameters)
        json["parameters"].push_back(parameterJson(parameter));

    Json objective = {{"metric", toStd(campaign.objective.metric)},
                      {"direction", toStd(directionKeyword(campaign.objective.direction))}};
    if (!campaign.objective.pattern.isEmpty())
        objective["pattern"] = toStd(campaign.objective.pattern);
    json["objective"] = objective;

    json["search"] = {{"strategy", toStd(campaign.search.strategy)},
                      {"max_trials", campaign.search.maxTrials},
                      {"parallel", campaign.search.parallel},
                      {"seed", std::uint64_t(campaign.search.seed)}};

    Json job = {{"command", toStd(campaign.job.command)}, {"files", Json::array()}};
    for (const QString& file : campaign.job.files)
        job["files"].push_back(toStd(file));
    if (!campaign.job.timeLimit.isEmpty())
        job["time_limit"] = toStd(campaign.job.timeLimit);
    json["job"] = job;

    json["cluster"] = {{"scheduler", toStd(campaign.cluster.scheduler)}};
    return json;
}

// The parts of a definition that give trials their meaning, each in a canonical form.
std::vector<std::pair<QString, Json>> definitionParts(const Campaign& campaign)
{
    Json parameters = Json::array();
    for (const Parameter& parameter : campaign.parameters) {
        Json candidates = Json::array();
        for (const QVariant& candidate : parameter.candidates)
            candidates.push_back(toStd(Campaign::formatValue(candidate)));
        Json json = {{"name", toStd(parameter.name)},
                     {"type", toStd(typeKeyword(parameter.type))},
                     {"log", parameter.range && parameter.range->log},
                     {"candidates", candidates}};
        // The default is where the search starts, so it shapes the trials too.
        json["default"] = parameter.defaultIndex
            ? Json(toStd(Campaign::formatValue(parameter.candidates.value(*parameter.defaultIndex))))
            : Json(nullptr);
        parameters.push_back(json);
    }
    const Json objective = {{"metric", toStd(campaign.objective.metric)},
                            {"direction", toStd(directionKeyword(campaign.objective.direction))},
                            {"pattern", toStd(campaign.objective.pattern)}};
    return {
        {u"parameters"_s, parameters},
        {u"objective"_s, objective},
        {u"search.strategy"_s, toStd(campaign.search.strategy)},
        {u"search.seed"_s, std::uint64_t(campaign.search.seed)},
        {u"job.command"_s, toStd(campaign.job.command)},
    };
}

std::string dumpJson(const Json& json, int indent = -1)
{
    return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Campaign

int Campaign::parameterIndex(const QString& parameterName) const
{
    for (int i = 0; i < parameters.size(); ++i) {
        if (parameters.at(i).name == parameterName)
            return i;
    }
    return -1;
}

tuning::SearchSpace Campaign::searchSpace() const
{
    std::vector<tuning::Dimension> dimensions;
    dimensions.reserve(std::size_t(parameters.size()));
    for (const Parameter& parameter : parameters) {
        tuning::Dimension dimension;
        dimension.name = parameter.name.toStdString();
        dimension.size = std::size_t(parameter.candidates.size());
        if (parameter.type == ParameterType::Choice) {
            dimension.kind = tuning::DimensionKind::Categorical;
        } else {
            dimension.kind = tuning::DimensionKind::Ordinal;
            dimension.logScale = parameter.range && parameter.range->log;
            for (const QVariant& candidate : parameter.candidates)
                dimension.numericValues.push_back(candidate.toDouble());
        }
        if (parameter.defaultIndex)
            dimension.defaultIndex = std::size_t(*parameter.defaultIndex);
        dimensions.push_back(std::move(dimension));
    }
    return tuning::SearchSpace(std::move(dimensions));
}

QString Campaign::formatValue(const QVariant& value)
{
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        return {};
    case QMetaType::Double:
        return formatDouble(value.toDouble());
    case QMetaType::Float: {
        // Shortest form of the float itself, not of its widened double ("0.1", not "0.100000001").
        char buffer[32];
        const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value.toFloat());
        return QString::fromLatin1(buffer, result.ptr - buffer);
    }
    default:
        return value.toString(); // integers in decimal, strings verbatim
    }
}

const QStringList& knownSchedulers()
{
    static const QStringList schedulers = {u"local"_s, u"ssh"_s, u"slurm"_s, u"pjm"_s, u"pbs"_s};
    return schedulers;
}

// ---------------------------------------------------------------------------------------------
// Parsing and writing

ParseOutcome parseCampaign(const QByteArray& json, const QString& sourcePath)
{
    SyntaxChecker checker{QByteArrayView(json)};
    if (!Json::sax_parse(json.cbegin(), json.cend(), &checker)) {
        ParseOutcome outcome;
        outcome.issues.append(checker.fatal().value_or(ValidationIssue{{}, u"invalid JSON"_s}));
        return outcome;
    }
    const Json root = Json::parse(json.cbegin(), json.cend(), nullptr, false);
    CampaignReader reader(sourcePath);
    reader.addIssues(checker.issues());
    return reader.read(root);
}

ParseOutcome loadCampaignFile(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QFile file(absolute);
    const auto failure = [&](const QString& reason) {
        ParseOutcome outcome;
        outcome.issues.append({{}, u"cannot read %1: %2"_s.arg(path, reason)});
        return outcome;
    };
    if (!file.open(QIODevice::ReadOnly))
        return failure(file.errorString());
    // A campaign is a few kilobytes; refuse to pull a mistakenly chosen huge file into memory.
    if (file.size() > kMaxFileSize)
        return failure(u"larger than %1 MiB"_s.arg(kMaxFileSize / (1024 * 1024)));
    const QByteArray content = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return failure(file.errorString());
    return parseCampaign(content, absolute);
}

QByteArray toJson(const Campaign& campaign)
{
    return QByteArray::fromStdString(dumpJson(campaignJson(campaign), 2) + '\n');
}

QString definitionFingerprint(const Campaign& campaign)
{
    Json canonical = Json::object();
    for (const auto& [name, part] : definitionParts(campaign))
        canonical[toStd(name)] = part;
    const QByteArray text = QByteArray::fromStdString(dumpJson(canonical));
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex());
}

QStringList definitionDifferences(const Campaign& stored, const Campaign& current)
{
    const auto storedParts = definitionParts(stored);
    const auto currentParts = definitionParts(current);
    QStringList differences;
    for (std::size_t i = 0; i < storedParts.size(); ++i) {
        if (dumpJson(storedParts[i].second) != dumpJson(currentParts[i].second))
            differences.append(storedParts[i].first);
    }
    return differences;
}

} // namespace sweepline::model
