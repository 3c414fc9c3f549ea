#include "remote/schedulers/pjmadapter.h"

#include "engine/jobscript.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace sweepline::remote {

using namespace schedulers;

namespace {

constexpr char stdoutFile[] = "stdout.pjm";
constexpr char stderrFile[] = "stderr.pjm";

const QString statusColumns = u"jid,st,ec,sn"_s;
const QString lookupColumns = u"jid,st,ec,sn,jnam"_s;

// Both pjstat queries with the same columns and filter ($1, $2); the exit code is the first failure's.
const QString bothQueriesScript = u"pjstat -v --choose \"$1\" --filter \"$2\"; a=$?; "
                                  "pjstat -H day=3 -v --choose \"$1\" --filter \"$2\"; h=$?; "
                                  "if [ \"$a\" -ne 0 ]; then exit \"$a\"; fi; exit \"$h\""_s;

const QRegularExpression& pjmIdPattern()
{
    static const QRegularExpression pattern(u"^[0-9]{1,19}(_[0-9]{1,10}|\\[[0-9]{1,10}\\])?$"_s);
    return pattern;
}

bool isMessage(const QString& line)
{
    return line.startsWith(u"[ERR.]") || line.startsWith(u"[WARN]") || line.startsWith(u"[INFO]");
}

// "[ERR.] PJM 0211 pjstat Invalid jobid": the id is not (or no longer) known; not a failed query.
bool isUnknownIdError(const QString& line)
{
    return line.startsWith(u"[ERR.]")
        && (line.contains(u" 0211 "_s) || line.contains(u"Invalid jobid"_s, Qt::CaseInsensitive));
}

struct Table {
    QList<QStringList> rows;
    QStringList errors;      // [ERR.] lines other than unknown ids
    bool unknownIds = false; // at least one "Invalid jobid"
    bool sawTable = false;
    QString garbage; // the first line that fits nowhere, when there is no table
};

// Rows are the lines under a "JOB_ID ..." header whose first field is a job id; any other line ends
// the table (a banner before the next query's header, a footer). A row with the wrong number of
// fields is garbage, and so is output with no table at all.
model::Result<Table> readTables(const QString& out, const QString& err, int columns)
{
    using R = model::Result<Table>;
    Table table;
    for (const QString& line : lines(err) + lines(out)) {
        if (isUnknownIdError(line))
            table.unknownIds = true;
        else if (line.startsWith(u"[ERR.]"))
            table.errors.append(line);
    }
    static const QRegularExpression spaces(u"\\s+"_s);
    bool inTable = false;
    for (const QString& line : lines(out)) {
        if (isMessage(line))
            continue;
        const QStringList fields = line.split(spaces, Qt::SkipEmptyParts);
        if (fields.value(0) == u"JOB_ID") {
            if (fields.size() != columns)
                return R::failure(u"Unexpected pjstat columns: "_s + line);
            inTable = table.sawTable = true;
        } else if (inTable && pjmIdPattern().match(fields.value(0)).hasMatch()) {
            if (fields.size() != columns)
                return R::failure(u"Unexpected pjstat row: "_s + line);
            table.rows.append(fields);
        } else {
            inTable = false;
            if (!table.sawTable && table.garbage.isEmpty())
                table.garbage = line;
        }
    }
    return table;
}

// Whether the query as a whole can be believed; the failure's text otherwise.
model::Status checkQuery(const Table& table, const QString& out, const QString& err, int exitCode)
{
    if (!table.errors.isEmpty())
        return model::Status::failure(table.errors.join(u'\n'));
    // pjstat may exit non-zero for an unknown id alone; anything else is a failed query.
    if (exitCode != 0 && !table.unknownIds)
        return model::Status::failure(failureText(u"pjstat"_s, out, err, exitCode));
    if (!table.sawTable && !table.garbage.isEmpty())
        return model::Status::failure(u"pjstat printed no job table: "_s + table.garbage);
    return model::success();
}

// EC and SN: a number, or "-" where there is none yet.
bool readNumber(const QString& field, std::optional<int>* value)
{
    if (field == u"-") {
        value->reset();
        return true;
    }
    bool ok = false;
    const int number = field.toInt(&ok);
    if (ok)
        *value = number;
    return ok;
}

} // namespace

QString PjmAdapter::name() const
{
    return u"pjm"_s;
}

const QRegularExpression& PjmAdapter::jobIdPattern() const
{
    return pjmIdPattern();
}

QStringList PjmAdapter::reservedOptions() const
{
    return {u"-N"_s, u"-o"_s, u"-e"_s};
}

QString PjmAdapter::elapse(qint64 seconds)
{
    return hoursDuration(seconds, 1);
}

std::optional<SchedulerJobState> PjmAdapter::stateFor(const QString& pjmState)
{
    using S = SchedulerJobState;
    static const QHash<QString, S> states{
        {u"ACC"_s, S::Queued},    {u"QUE"_s, S::Queued},   {u"RNA"_s, S::Queued},   {u"HLD"_s, S::Queued},
        {u"SPP"_s, S::Queued},    {u"SPD"_s, S::Queued},   {u"RNP"_s, S::Running},  {u"RUN"_s, S::Running},
        {u"RNE"_s, S::Running},   {u"RNO"_s, S::Running},  {u"RSM"_s, S::Running},  {u"EXT"_s, S::Finished},
        {u"CCL"_s, S::Cancelled}, {u"ERR"_s, S::Rejected}, {u"RJT"_s, S::Rejected},
    };
    if (const auto it = states.constFind(pjmState); it != states.cend())
        return *it;
    return std::nullopt;
}

QStringList PjmAdapter::directiveLines(const JobSpec& spec) const
{
    if (!checkJobSpec(spec))
        return {};
    QStringList lines{
        u"#PJM -N "_s + spec.token,
        u"#PJM -o "_s + joinPath(spec.jobDirectory, stdoutFile),
        u"#PJM -e "_s + joinPath(spec.jobDirectory, stderrFile),
    };
    if (spec.timeLimitSeconds)
        lines.append(u"#PJM -L elapse="_s + elapse(*spec.timeLimitSeconds));
    for (const QString& directive : spec.directives)
        lines.append(u"#PJM "_s + directive);
    return lines;
}

RemoteCommand PjmAdapter::submitCommand(const JobSpec& spec) const
{
    if (!checkJobSpec(spec))
        return {};
    return {{u"pjsub"_s, joinPath(spec.jobDirectory, engine::runfiles::script)}, spec.jobDirectory};
}

SubmitOutcome PjmAdapter::parseSubmit(const QString& out, const QString& err, int exitCode) const
{
    using R = SubmitOutcome;
    static const QRegularExpression submitted(u"^\\[INFO\\] PJM \\d+ pjsub Job (\\S+) submitted\\.?$"_s);
    QStringList ids;
    QStringList errors;
    for (const QString& line : lines(out) + lines(err)) {
        if (const auto match = submitted.match(line); match.hasMatch())
            ids.append(match.captured(1));
        else if (line.startsWith(u"[ERR.]"))
            errors.append(line);
    }
    if (!errors.isEmpty() && (exitCode != 0 || ids.isEmpty()))
        return R::refused(errors.join(u'\n'));
    if (exitCode != 0)
        return R::refused(failureText(u"pjsub"_s, out, err, exitCode));
    if (ids.size() == 1 && isValidJobId(ids.first()))
        return R::submitted(ids.first());
    if (ids.isEmpty())
        return R::unclear(u"pjsub printed no job id: "_s + failureText(u"pjsub"_s, out, err, exitCode));
    return R::unclear(u"pjsub printed job ids in an unexpected form or several (%1)"_s.arg(ids.join(u", ")));
}

RemoteCommand PjmAdapter::activeStatusCommand(const QStringList& jobIds) const
{
    const QStringList ids = validJobIds(jobIds);
    if (ids.isEmpty())
        return {};
    return {{u"pjstat"_s, u"-v"_s, u"--choose"_s, statusColumns, u"--filter"_s, u"jid="_s + ids.join(u'+')}, {}};
}

RemoteCommand PjmAdapter::historyCommand(const QStringList& jobIds) const
{
    const QStringList ids = validJobIds(jobIds);
    if (ids.isEmpty())
        return {};
    return {{u"pjstat"_s, u"-H"_s, u"day=3"_s, u"-v"_s, u"--choose"_s, statusColumns, u"--filter"_s,
             u"jid="_s + ids.join(u'+')},
            {}};
}

RemoteCommand PjmAdapter::statusCommand(const QStringList& jobIds, const QStringList& tokens) const
{
    Q_UNUSED(tokens);
    const QStringList ids = validJobIds(jobIds);
    if (ids.isEmpty())
        return {};
    return {{u"sh"_s, u"-c"_s, bothQueriesScript, u"sweepline-pjstat"_s, statusColumns, u"jid="_s + ids.join(u'+')},
            {}};
}

model::Result<QList<SchedulerJobStatus>> PjmAdapter::parseStatus(const QString& out, const QString& err,
                                                                 int exitCode) const
{
    using R = model::Result<QList<SchedulerJobStatus>>;
    auto table = readTables(out, err, 4);
    if (!table)
        return R::failure(table.error());
    if (auto status = checkQuery(table.value(), out, err, exitCode); !status)
        return R::failure(status.error());

    QList<SchedulerJobStatus> jobs;
    QStringList seen;
    for (const QStringList& row : table->rows) {
        std::optional<int> exitStatus;
        std::optional<int> signal;
        if (!readNumber(row.at(2), &exitStatus) || !readNumber(row.at(3), &signal))
            return R::failure(u"Unexpected pjstat row: "_s + row.join(u' '));
        const auto state = stateFor(row.at(1));
        if (!state || !isValidJobId(row.at(0)) || seen.contains(row.at(0)))
            continue; // the first (active) row of a job wins
        seen.append(row.at(0));
        SchedulerJobStatus status;
        status.jobId = row.at(0);
        status.state = *state;
        status.rawState = row.at(1);
        if (*state == SchedulerJobState::Finished) {
            status.exitCode = exitStatus;
            if (signal.value_or(0) != 0)
                status.rawState += u" (signal %1)"_s.arg(*signal);
        }
        jobs.append(status);
    }
    return jobs;
}

RemoteCommand PjmAdapter::cancelCommand(const QStringList& jobIds) const
{
    const QStringList ids = validJobIds(jobIds);
    if (ids.isEmpty())
        return {};
    return {QStringList{u"pjdel"_s} + ids, {}};
}

RemoteCommand PjmAdapter::lookupCommand(const JobSpec& spec) const
{
    if (!isValidToken(spec.token))
        return {};
    return {{u"sh"_s, u"-c"_s, bothQueriesScript, u"sweepline-pjstat"_s, lookupColumns, u"jnam="_s + spec.token}, {}};
}

model::Result<QString> PjmAdapter::parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                               int exitCode) const
{
    using R = model::Result<QString>;
    auto table = readTables(out, err, 5);
    if (!table)
        return R::failure(model::ErrorCode::UnclearSubmission, table.error());
    if (auto status = checkQuery(table.value(), out, err, exitCode); !status)
        return R::failure(model::ErrorCode::UnclearSubmission, status.error());
    QStringList ids;
    for (const QStringList& row : table->rows) {
        // A name that differs (a truncated column, a filter we misread) makes the answer unclear.
        if (row.at(4) != spec.token || !isValidJobId(row.at(0)))
            return R::failure(model::ErrorCode::UnclearSubmission,
                              u"Unexpected pjstat row while looking for job %1: %2"_s.arg(spec.token, row.join(u' ')));
        ids.append(row.at(0));
    }
    return firstSubmitted(ids);
}

} // namespace sweepline::remote
