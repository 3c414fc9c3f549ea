#include "engine/jobscript.h"

#include "model/commandtemplate.h"

#include <QDir>
#include <QFile>

#include <cmath>

using namespace Qt::StringLiterals;

using sweepline::model::shellQuote;

namespace sweepline::engine {

QString localRunDirectory(const QString& stateDirectory, qint64 trialId)
{
    return QDir(stateDirectory).filePath(u"runs/%1"_s.arg(trialId));
}

QString formatDuration(qint64 seconds)
{
    const qint64 days = seconds / 86400;
    const QString hms = u"%1:%2:%3"_s.arg((seconds / 3600) % 24, 2, 10, QChar(u'0'))
                            .arg((seconds / 60) % 60, 2, 10, QChar(u'0'))
                            .arg(seconds % 60, 2, 10, QChar(u'0'));
    return days > 0 ? QString::number(days) + u'-' + hms : hms;
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
        QByteArray number = words.at(1);
        number.replace(',', '.'); // EPOCHREALTIME follows the job's locale
        const double seconds = number.toDouble(&ok);
        if (!ok || !(seconds > 0) || seconds > 1e11)
            continue;
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(qint64(std::llround(seconds * 1000)), Qt::UTC);
        if (words.at(0) == "started")
            record.startedAt = at;
        else if (words.at(0) == "finished")
            record.finishedAt = at;
    }
    return record;
}

ExitRecord readExitCodeFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return parseExitCodeFile(f.read(4096)); // a status and two times: a few dozen bytes
}

QString renderJobScript(const JobScriptInput& in)
{
    QString s;
    s += u"#!/bin/bash\n"_s;
    for (const QString& line : in.directiveLines)
        s += line + u'\n';
    s += u"# Sweepline: campaign %1, trial %2 (%3)\n"_s.arg(in.campaign).arg(in.trialId).arg(in.token);
    s += u"cd -- %1 || exit 97\n"_s.arg(shellQuote(in.runDirectory));
    // The pid file is created exclusively: a second launch of the same trial exits here untouched.
    s += u"( set -o noclobber; echo \"$$\" > %1 ) 2>/dev/null || exit 0\n"_s.arg(QLatin1String(runfiles::pid));
    // bash's own clock (no fork): the times stand even when no poll saw the job running. Microseconds
    // from bash 5 on (with the locale's decimal point), whole seconds before.
    s +=
        u"sweepline_started=$EPOCHREALTIME; [ -n \"$sweepline_started\" ] || printf -v sweepline_started '%(%s)T' -1\n"_s;
    s += u"export SWEEPLINE_CAMPAIGN=%1 SWEEPLINE_TRIAL=%2 SWEEPLINE_TOKEN=%3\n"_s.arg(shellQuote(in.campaign))
             .arg(in.trialId)
             .arg(shellQuote(in.token));
    s += u"(\n"_s;
    for (const QString& line : in.setup)
        s += line + u'\n';
    s += in.command + u'\n';
    s += u") > %1 2> %2 < /dev/null\n"_s.arg(QLatin1String(runfiles::stdoutFile), QLatin1String(runfiles::stderrFile));
    s += u"rc=$?\n"_s;
    s +=
        u"sweepline_finished=$EPOCHREALTIME; [ -n \"$sweepline_finished\" ] || printf -v sweepline_finished '%(%s)T' -1\n"_s;
    s += u"printf '%d\\nstarted %s\\nfinished %s\\n' \"$rc\" \"$sweepline_started\" \"$sweepline_finished\" > %1.tmp "
         "&& mv -f %1.tmp %1\n"_s.arg(QLatin1String(runfiles::exitCode));
    s += u"exit \"$rc\"\n"_s;
    return s;
}

} // namespace sweepline::engine
