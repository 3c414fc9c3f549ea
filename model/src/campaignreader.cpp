#include "campaignreader.h"

#include "candidates.h"
#include "tuning/strategy.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::model::detail {

namespace {

// Int range bounds travel as doubles in ParameterRange; beyond 2^53 they would lose digits.
constexpr qint64 kMaxExactInteger = qint64(1) << 53;
// Campaign files are shallow; anything deeper is a mistake and must not exhaust the stack later.
constexpr std::size_t kMaxDepth = 64;

// ---------------------------------------------------------------------------------------------
// Small text helpers

QString toQString(const std::string& text)
{
    return QString::fromStdString(text);
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

bool containsLineBreakOrNul(const QString& text)
{
    return text.contains(u'\n') || text.contains(u'\r') || text.contains(u'\0');
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Syntax pass

bool SyntaxChecker::key(string_t& name)
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

bool SyntaxChecker::parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& error)
{
    m_fatal = ValidationIssue{{}, describeSyntaxError(position, QString::fromUtf8(error.what()))};
    return false;
}

bool SyntaxChecker::beginValue()
{
    if (!m_frames.empty() && m_frames.back().isArray)
        ++m_frames.back().elementIndex;
    return true;
}

bool SyntaxChecker::beginContainer(bool isArray)
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

bool SyntaxChecker::endContainer()
{
    m_frames.pop_back();
    return true;
}

QString SyntaxChecker::describeSyntaxError(std::size_t position, const QString& what) const
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
    return u"invalid JSON at line %1, column %2: %3"_s.arg(QString::number(line), QString::number(column), reason);
}

// ---------------------------------------------------------------------------------------------
// Validation pass

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
        fail(where.key(key, index),
             suggestion.isEmpty() ? u"unknown key"_s : u"unknown key (did you mean %1?)"_s.arg(quoted(suggestion)));
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

std::optional<int> CampaignReader::readCountBetween(const Member& m, int minimum, int maximum)
{
    const std::optional<qint64> value = readInteger(m);
    if (!value)
        return std::nullopt;
    if (*value < minimum || *value > maximum) {
        fail(m.where, u"must be between %1 and %2"_s.arg(minimum).arg(maximum));
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
    checkKeys(object, where, {u"name"_s, u"type"_s, u"values"_s, u"range"_s, u"default"_s}, {u"name"_s, u"type"_s});
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
        fail(m.where,
             u"duplicate name; parameters[%1] is already called %2"_s.arg(QString::number(*first), quoted(*name)));
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
    checkKeys(*m, m.where, {u"metric"_s, u"direction"_s, u"pattern"_s, u"step_pattern"_s}, {u"metric"_s});
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
        objective.pattern = readPattern(pattern).value_or(QString());
    if (const Member stepPattern = member(*m, m.where, "step_pattern"))
        objective.stepPattern = readPattern(stepPattern).value_or(QString());
}

std::optional<QString> CampaignReader::readPattern(const Member& m)
{
    std::optional<QString> pattern = readString(m);
    if (!pattern)
        return std::nullopt;
    const QRegularExpression expression(*pattern);
    if (!expression.isValid()) {
        fail(m.where,
             u"invalid regular expression: %1 at offset %2"_s.arg(expression.errorString(),
                                                                  QString::number(expression.patternErrorOffset())));
        return std::nullopt;
    }
    // The one group is the value (the metric's, or the step's); more would leave it ambiguous.
    if (expression.captureCount() != 1) {
        fail(m.where, u"must have exactly one capture group, not %1"_s.arg(expression.captureCount()));
        return std::nullopt;
    }
    return pattern;
}

void CampaignReader::readSearch(const Member& m)
{
    if (!isObject(*m, m.where))
        return;
    checkKeys(*m, m.where, {u"strategy"_s, u"max_trials"_s, u"parallel"_s, u"seed"_s, u"early_stopping"_s});
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
    if (const Member earlyStopping = member(*m, m.where, "early_stopping"))
        readEarlyStopping(earlyStopping);
}

// The ranges are tuning::earlyStoppingProblem's, so a campaign that validates makes a working rule.
void CampaignReader::readEarlyStopping(const Member& m)
{
    using Rule = EarlyStoppingRule;
    if (!isObject(*m, m.where))
        return;
    checkKeys(
        *m, m.where,
        {u"rule"_s, u"startup_trials"_s, u"warmup_steps"_s, u"min_steps"_s, u"reduction_factor"_s, u"max_steps"_s},
        {u"rule"_s});
    EarlyStopping& settings = m_campaign.search.earlyStopping;
    std::optional<Rule> rule;
    if (const Member ruleMember = member(*m, m.where, "rule")) {
        if (const std::optional<QString> keyword = readString(ruleMember)) {
            rule = earlyStoppingRuleFromKeyword(*keyword);
            if (!rule) {
                QStringList known;
                for (Rule candidate : allEarlyStoppingRules())
                    known.append(ruleKeyword(candidate));
                fail(ruleMember.where, u"must be %1, not %2"_s.arg(alternatives(known), quoted(*keyword)));
            }
        }
    }
    // Which rules read each key; a key the rule ignores is a mistake worth naming.
    struct Setting {
        const char* key;
        QList<Rule> rules;
        int minimum;
        int maximum;
        int EarlyStopping::*field;
    };
    const QList<Setting> settingsByKey{
        {"startup_trials", {Rule::Median}, 0, 1000000, &EarlyStopping::startupTrials},
        {"warmup_steps", {Rule::Median}, 0, 1000000, &EarlyStopping::warmupSteps},
        {"min_steps", {Rule::Asha, Rule::Hyperband}, 1, 1000000, &EarlyStopping::minSteps},
        {"reduction_factor", {Rule::Asha, Rule::Hyperband}, 2, 100, &EarlyStopping::reductionFactor},
        {"max_steps", {Rule::Hyperband}, 1, 10000000, nullptr},
    };
    std::optional<Location> maxStepsWhere;
    for (const Setting& setting : settingsByKey) {
        const Member value = member(*m, m.where, setting.key);
        if (!value)
            continue;
        if (rule && !setting.rules.contains(*rule)) {
            QStringList names;
            for (Rule applies : setting.rules)
                names.append(ruleKeyword(applies));
            fail(value.where,
                 u"applies to the %1 rule%2 only"_s.arg(names.join(u" and "_s))
                     .arg(names.size() > 1 ? u"s"_s : QString()));
            continue;
        }
        const std::optional<int> number = readCountBetween(value, setting.minimum, setting.maximum);
        if (!number)
            continue;
        if (setting.field) {
            settings.*setting.field = *number;
        } else {
            settings.maxSteps = number;
            maxStepsWhere = value.where;
        }
    }
    // The longest run must reach the second rung, or hyperband has a single bracket of nothing.
    const qint64 shortest = qint64(settings.minSteps) * settings.reductionFactor;
    if (maxStepsWhere && *settings.maxSteps < shortest)
        fail(*maxStepsWhere, u"must be at least min_steps * reduction_factor (%1)"_s.arg(shortest));
    if (rule)
        settings.rule = *rule;
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
    QHash<QString, int> seen;      // cleaned path -> index
    QHash<QString, int> seenNames; // file name in the run folder -> index
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
        // Every file lands in the run folder under its own name, beside what the engine writes.
        const QString name = QFileInfo(cleaned).fileName();
        if (reservedRunFileNames().contains(name)) {
            fail(element.where,
                 u"\"%1\" is the name of a file Sweepline writes into each run folder; rename it"_s.arg(name));
            continue;
        }
        if (const auto first = seenNames.constFind(name); first != seenNames.cend()) {
            fail(element.where,
                 u"has the same file name as files[%1]: both would be copied to %2"_s.arg(*first).arg(name));
            continue;
        }
        seenNames.insert(name, int(i));
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
    static const QStringList remoteKeys{
        u"host"_s,       u"port"_s,    u"user"_s,       u"identity"_s,        u"known_hosts"_s,
        u"ssh_config"_s, u"workdir"_s, u"directives"_s, u"poll_interval_s"_s, u"parallel_submissions"_s,
        u"max_queued"_s};
    checkKeys(*m, m.where, QStringList{u"scheduler"_s, u"setup"_s} + remoteKeys);
    ClusterSettings& cluster = m_campaign.cluster;
    if (const Member scheduler = member(*m, m.where, "scheduler")) {
        if (const std::optional<QString> name = readString(scheduler)) {
            if (knownSchedulers().contains(*name))
                cluster.scheduler = *name;
            else
                fail(scheduler.where, u"must be %1, not %2"_s.arg(alternatives(knownSchedulers()), quoted(*name)));
        }
    }
    if (!cluster.isRemote()) {
        // A login node given to a local campaign is a mistake worth naming, not something to ignore.
        for (const QString& key : remoteKeys) {
            if (const Member extra = member(*m, m.where, key.toUtf8().constData()))
                fail(extra.where, u"applies to a remote scheduler; \"local\" runs on this computer"_s);
        }
    } else if (!member(*m, m.where, "host")) {
        fail(m.where.key(u"host"_s, 0), u"is required for scheduler %1"_s.arg(quoted(cluster.scheduler)));
    }
    readClusterConnection(*m, m.where);
    if (const Member workdir = member(*m, m.where, "workdir")) {
        if (const auto text = readString(workdir))
            cluster.workdir = *text;
    }
    if (const Member directives = member(*m, m.where, "directives"))
        cluster.directives = readStringList(directives);
    if (const Member setup = member(*m, m.where, "setup"))
        cluster.setup = readStringList(setup);
    if (const Member poll = member(*m, m.where, "poll_interval_s")) {
        if (const auto seconds = readCountAtLeast(poll, 1))
            cluster.pollIntervalSeconds = *seconds;
    }
    if (const Member parallel = member(*m, m.where, "parallel_submissions")) {
        if (const auto count = readCountBetween(parallel, 1, 32))
            cluster.parallelSubmissions = *count;
    }
    if (const Member queued = member(*m, m.where, "max_queued")) {
        if (const auto count = readCountBetween(queued, 1, kMaxQueuedLimit))
            cluster.maxQueued = *count;
    }
}

void CampaignReader::readClusterConnection(const Json& object, const Location& where)
{
    ClusterSettings& cluster = m_campaign.cluster;
    // Host and user reach the ssh client's command line: nothing that could read as an option.
    auto readWord = [this](const Member& m) -> std::optional<QString> {
        std::optional<QString> text = readString(m);
        if (text && (text->startsWith(u'-') || text->contains(QRegularExpression(u"\\s"_s)))) {
            fail(m.where, u"must be one word that does not start with \"-\""_s);
            return std::nullopt;
        }
        return text;
    };
    if (const Member host = member(object, where, "host"))
        cluster.host = readWord(host).value_or(QString());
    if (const Member user = member(object, where, "user"))
        cluster.user = readWord(user).value_or(QString());
    if (const Member port = member(object, where, "port")) {
        if (const auto number = readCountAtLeast(port, 1)) {
            if (*number > 65535)
                fail(port.where, u"must be at most 65535"_s);
            else
                cluster.port = *number;
        }
    }
    if (const Member identity = member(object, where, "identity"))
        cluster.identity = readString(identity).value_or(QString());
    if (const Member knownHosts = member(object, where, "known_hosts"))
        cluster.knownHosts = readString(knownHosts).value_or(QString());
    if (const Member sshConfig = member(object, where, "ssh_config"))
        cluster.sshConfig = readString(sshConfig).value_or(QString());
}

QStringList CampaignReader::readStringList(const Member& m)
{
    QStringList list;
    if (!isArray(*m, m.where))
        return list;
    for (std::size_t i = 0; i < m->size(); ++i) {
        const Member element{&(*m)[i], m.where.element(int(i))};
        if (const std::optional<QString> text = readString(element))
            list.append(*text);
    }
    return list;
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

} // namespace sweepline::model::detail
