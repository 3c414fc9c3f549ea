#include "remote/jobscript.h"

#include "model/commandtemplate.h"

using sweepline::model::shellQuote;

namespace sweepline::remote {

QString formatDuration(qint64 seconds)
{
    const qint64 days = seconds / 86400;
    const QString hms = QStringLiteral("%1:%2:%3")
                            .arg((seconds / 3600) % 24, 2, 10, QLatin1Char('0'))
                            .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
                            .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return days > 0 ? QString::number(days) + QLatin1Char('-') + hms : hms;
}

ExitRecord parseExitCodeFile(const QByteArray& content)
{
    ExitRecord record;
    const QList<QByteArray> lines = content.split('\n');
    bool ok = false;
    const int code = lines.value(0).trimmed().toInt(&ok);
    if (ok)
        record.exitCode = code;
    for (const QByteArray& line : lines.mid(1)) {
        const QList<QByteArray> words = line.trimmed().split(' ');
        if (words.size() != 2)
            continue;
        const qint64 seconds = words.at(1).toLongLong(&ok);
        if (!ok || seconds <= 0)
            continue;
        if (words.at(0) == "started")
            record.startedAt = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
        else if (words.at(0) == "finished")
            record.finishedAt = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
    }
    return record;
}

QString renderJobScript(const JobScriptInput& in)
{
    QString s;
    s += QStringLiteral("#!/bin/bash\n");
    for (const QString& line : in.directiveLines)
        s += line + QLatin1Char('\n');
    s += QStringLiteral("# Sweepline: campaign %1, trial %2 (%3)\n").arg(in.campaign).arg(in.trialId).arg(in.token);
    s += QStringLiteral("cd -- %1 || exit 97\n").arg(shellQuote(in.runDirectory));
    // The pid file is created exclusively: a second launch of the same trial exits here untouched.
    s += QStringLiteral("( set -o noclobber; echo \"$$\" > %1 ) 2>/dev/null || exit 0\n").arg(QLatin1String(runfiles::pid));
    // bash's own clock (no fork): the times stand even when no poll saw the job running.
    s += QStringLiteral("printf -v sweepline_started '%(%s)T' -1\n");
    s += QStringLiteral("export SWEEPLINE_CAMPAIGN=%1 SWEEPLINE_TRIAL=%2 SWEEPLINE_TOKEN=%3\n")
             .arg(shellQuote(in.campaign))
             .arg(in.trialId)
             .arg(shellQuote(in.token));
    s += QStringLiteral("(\n");
    for (const QString& line : in.setup)
        s += line + QLatin1Char('\n');
    s += in.command + QLatin1Char('\n');
    s += QStringLiteral(") > %1 2> %2 < /dev/null\n").arg(QLatin1String(runfiles::stdoutFile), QLatin1String(runfiles::stderrFile));
    s += QStringLiteral("rc=$?\n");
    s += QStringLiteral("printf -v sweepline_finished '%(%s)T' -1\n");
    s += QStringLiteral("printf '%d\\nstarted %s\\nfinished %s\\n' \"$rc\" \"$sweepline_started\" \"$sweepline_finished\" > %1.tmp "
                        "&& mv -f %1.tmp %1\n")
             .arg(QLatin1String(runfiles::exitCode));
    s += QStringLiteral("exit \"$rc\"\n");
    return s;
}

} // namespace sweepline::remote
