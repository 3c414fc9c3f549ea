#pragma once

#include "model/result.h"
#include "remote/scheduler.h"

#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace sweepline::remote {

// What every adapter here shares: the checks each variable part of a command goes through, so a job
// id, token or path the scheduler (or a corrupted database) hands back never reaches a command line
// unless it has the exact shape we expect.
//
// Refusals: for a spec that fails checkJobSpec(), directiveLines() returns no lines and
// submitCommand() an empty argv; statusCommand(), cancelCommand() and lookupCommand() leave out
// every job id or token that fails its pattern and return an empty argv when nothing is left. An
// empty argv means "nothing safe to run": the backend must not run it (and knows why from
// checkJobSpec() or isValidJobId()).
class SchedulerAdapterBase : public SchedulerAdapter {
public:
    // Why this adapter cannot render or submit spec, or success.
    virtual model::Status checkJobSpec(const JobSpec& spec) const;
    bool isValidJobId(const QString& jobId) const;
    QStringList validJobIds(const QStringList& jobIds) const;

protected:
    // The exact shape of this scheduler's job ids, anchored (^...$).
    virtual const QRegularExpression& jobIdPattern() const = 0;
    // Options of the user's directives that would take over what the adapter owns (the job name,
    // which lookups depend on, and the output files): "-J", "--job-name". Long options match
    // "--opt" and "--opt=..."; short ones also match with the value attached ("-Jname").
    virtual QStringList reservedOptions() const { return {}; }
};

namespace schedulers {

// Our tokens: a letter first (PBS requires it), then letters, digits and '-'; at most 63 characters
// (PJM's limit for job names).
bool isValidToken(const QString& token);
QStringList validTokens(const QStringList& tokens);

// Absolute, and only characters that every scheduler takes literally in a directive or a path
// option: no spaces, quotes, '%' (Slurm file name patterns) or ':' (PBS host:path).
bool isSafeJobDirectory(const QString& directory);

// A directive is written verbatim after "#SBATCH "/"#PJM "/"#PBS ": one line, no control characters.
bool isSafeDirective(const QString& directive);

QString joinPath(const QString& directory, const char* fileName);

// "D-HH:MM:SS" (Slurm), "H:MM:SS" with unbounded hours (PJM), "HH:MM:SS" with unbounded hours (PBS).
QString slurmDuration(qint64 seconds);
QString hoursDuration(qint64 seconds, int hourDigits);

// Non-empty lines, trimmed.
QStringList lines(const QString& text);

// The scheduler's own words for a failure: stderr, else stdout, else the exit code alone.
QString failureText(const QString& command, const QString& out, const QString& err, int exitCode);

// A refusal of a submit command: limited when one of limitTexts is in its words (a per-user limit or
// a busy scheduler: retry later), unclear when one of unclearTexts is (it may have gone through),
// else refused for good. Case-insensitive; the scheduler's own words are kept as the message.
SubmitOutcome classifyRefusal(const QString& words, const QStringList& limitTexts,
                              const QStringList& unclearTexts = {});

// Of several ids naming the same token, the one submitted first (lowest number): a duplicate
// submission's job exits at once, because the job script refuses a second run in the same folder.
QString firstSubmitted(QStringList jobIds);

} // namespace schedulers

// Why adapter cannot render or submit spec: the adapter's own checks for the adapters here, the
// common ones (token, directory, directives, time limit) for any other.
model::Status checkJobSpec(const SchedulerAdapter& adapter, const JobSpec& spec);

} // namespace sweepline::remote
