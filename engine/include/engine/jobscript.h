#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

namespace sweepline::engine {

// Names of the files a job leaves in its run folder; the engine and every backend agree on them.
namespace runfiles {
inline constexpr char script[] = "job.sh";
inline constexpr char stdoutFile[] = "stdout";
inline constexpr char stderrFile[] = "stderr";
inline constexpr char exitCode[] = "exit_code";
inline constexpr char pid[] = "job.pid";
} // namespace runfiles

// A trial's local run folder, <state folder>/runs/<trial>: its job script, outputs or their copies,
// and the cancel marker another process may leave there.
QString localRunDirectory(const QString& stateDirectory, qint64 trialId);

struct JobScriptInput {
    QString campaign;
    qint64 trialId = 0;
    QString token;
    QString runDirectory;       // absolute path where the job runs, on the machine that runs it
    QStringList directiveLines; // the scheduler's "#SBATCH ..." lines, placed right after the shebang
    QString command;            // the job command with every value already shell-quoted
    QStringList setup;          // lines run before the command
    std::optional<qint64> timeLimitSeconds;
};

// The bash script a trial runs. Its last act writes the command's exit status to runfiles::exitCode
// (through a rename, so a reader never sees a half-written file), and it refuses to run a second
// time in the same folder, so a launch repeated after a crash can never run a trial twice.
// The exit-code file also holds the script's own start and end times ("started <epoch s>",
// "finished <epoch s>"), so a job that starts and ends between two polls still has both.
QString renderJobScript(const JobScriptInput& input);

struct ExitRecord {
    std::optional<int> exitCode; // none: the first line is not a number
    QDateTime startedAt;         // invalid when absent (an exit-code file of an older version)
    QDateTime finishedAt;
};
ExitRecord parseExitCodeFile(const QByteArray& content);
// The same for a local file: an empty record when it is missing or unreadable.
ExitRecord readExitCodeFile(const QString& path);

QString formatDuration(qint64 seconds); // "HH:MM:SS", with "D-" in front past a day

} // namespace sweepline::engine
