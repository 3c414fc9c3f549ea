#pragma once

// Private to sweepline_model: reading and validating a campaign document. Only model/*.cpp include
// this header; it pulls in nlohmann/json, which is not part of the public model API.

#include "model/campaign.h"
#include "model/commandtemplate.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sweepline::model::detail {

// ordered_json keeps key order (for document-ordered issues and toJson) and tells 16 from 16.0.
using Json = nlohmann::ordered_json;

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

    bool key(string_t& name) override;
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& error) override;

private:
    struct Frame {
        bool isArray = false;
        Location where;
        int elementIndex = -1;
        int keyIndex = -1;
        std::vector<std::string> keys;
    };

    bool beginValue();
    bool beginContainer(bool isArray);
    bool endContainer();
    // nlohmann counts bytes; users count lines and characters.
    QString describeSyntaxError(std::size_t position, const QString& what) const;

    QByteArrayView m_text;
    std::vector<Frame> m_frames;
    QList<Issue> m_issues;
    std::optional<ValidationIssue> m_fatal;
};

// ---------------------------------------------------------------------------------------------
// Validation pass: reads the DOM section by section into a Campaign, collecting every issue.

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
    std::optional<int> readCountBetween(const Member& m, int minimum, int maximum);
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
    std::optional<QString> readPattern(const Member& m);
    void readSearch(const Member& m);
    void readEarlyStopping(const Member& m);
    void readJob(const Member& m);
    void readCommand(const Member& m);
    void readFiles(const Member& m);
    void readTimeLimit(const Member& m);
    void readCluster(const Member& m);
    void readClusterConnection(const Json& object, const Location& where);
    QStringList readStringList(const Member& m);
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

} // namespace sweepline::model::detail
