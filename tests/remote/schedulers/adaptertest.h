// Shared by the scheduler adapter tests: recorded outputs, a compact view of parsed statuses, and
// the hostile values no command may ever carry.
#pragma once

#include "remote/scheduler.h"
#include "remote/schedulers/adapterbase.h"

#include <QtTest>

namespace adaptertest {

using namespace sweepline::remote;

// A recorded output under tests/remote/schedulers/data; an empty name is an empty output.
inline QString fixture(const QString& name)
{
    if (name.isEmpty())
        return {};
    QFile file(QStringLiteral(SCHEDULER_TEST_DATA "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(file.fileName()));
    return QString::fromUtf8(file.readAll());
}

inline QString stateName(SchedulerJobState state)
{
    switch (state) {
    case SchedulerJobState::Queued: return QStringLiteral("Queued");
    case SchedulerJobState::Running: return QStringLiteral("Running");
    case SchedulerJobState::Finished: return QStringLiteral("Finished");
    case SchedulerJobState::Cancelled: return QStringLiteral("Cancelled");
    case SchedulerJobState::Rejected: return QStringLiteral("Rejected");
    }
    return QStringLiteral("?");
}

// "id State exit raw", exit "-" when unknown, e.g. "1011 Finished - FAILED".
inline QStringList describe(const QList<SchedulerJobStatus>& jobs)
{
    QStringList result;
    for (const SchedulerJobStatus& job : jobs) {
        result.append(QStringLiteral("%1 %2 %3 %4")
                          .arg(job.jobId, stateName(job.state),
                               job.exitCode ? QString::number(*job.exitCode) : QStringLiteral("-"), job.rawState));
    }
    return result;
}

inline QString kindName(SubmitOutcome::Kind kind)
{
    switch (kind) {
    case SubmitOutcome::Kind::Submitted: return QStringLiteral("submitted");
    case SubmitOutcome::Kind::Refused: return QStringLiteral("refused");
    case SubmitOutcome::Kind::Limited: return QStringLiteral("limited");
    case SubmitOutcome::Kind::Unclear: return QStringLiteral("unclear");
    }
    return QStringLiteral("?");
}

// kind as kindName() writes it; detail is the job id when submitted, else a part of the message.
inline void verifyOutcome(const SubmitOutcome& outcome, const QString& kind, const QString& detail)
{
    const QString got = kindName(outcome.kind) + u' ' + (outcome.jobId.isEmpty() ? outcome.message : outcome.jobId);
    QVERIFY2(kindName(outcome.kind) == kind, qPrintable(u"expected "_qs + kind + u", got "_qs + got));
    if (kind == u"submitted"_qs) {
        QCOMPARE(outcome.jobId, detail);
    } else {
        QVERIFY2(outcome.jobId.isEmpty(), qPrintable(got));
        QVERIFY2(outcome.message.contains(detail), qPrintable(got));
    }
}

inline JobSpec makeSpec(const QStringList& directives = {}, std::optional<qint64> limit = std::nullopt)
{
    JobSpec spec;
    spec.token = QStringLiteral("sw1a2b3c4d-7");
    spec.jobDirectory = QStringLiteral("/home/alice/sweepline/demo/runs/7");
    spec.timeLimitSeconds = limit;
    spec.directives = directives;
    return spec;
}

// Ids a corrupted database, a confused parser or an attacker-controlled output could hand back.
inline QStringList hostileIds()
{
    return {
        QStringLiteral("12345; rm -rf ~"), QStringLiteral("$(touch INJECTED)"), QStringLiteral("`id`"),
        QStringLiteral("-1"),               QStringLiteral("--help"),            QStringLiteral("12345\n6789"),
        QStringLiteral(""),                 QStringLiteral(" 12345"),            QStringLiteral("12345 "),
        QStringLiteral("1 2"),              QStringLiteral("../etc/passwd"),     QStringLiteral("12345|x"),
        QStringLiteral("12345'"),           QStringLiteral("１２３"),           QStringLiteral("0x10"),
        QStringLiteral("12345") + QChar(0),       QStringLiteral("*"),                 QStringLiteral("12345,6789"),
    };
}

inline QStringList hostileTokens()
{
    return {
        QStringLiteral("sw1; rm -rf ~"), QStringLiteral("$(id)"),      QStringLiteral("-sw1"),
        QStringLiteral("1sw"),           QStringLiteral("sw 1"),       QStringLiteral("sw1,sw2"),
        QStringLiteral("sw1\nsw2"),      QStringLiteral(""),           QStringLiteral("sw_1"),
        QStringLiteral("sw1=2"),         QStringLiteral("sw1+sw2"),    QString(70, QLatin1Char('s')),
    };
}

// A test row name for a hostile value, with control characters made visible.
inline QString rowName(QString value)
{
    return value.replace(QChar(0), QStringLiteral("\\0")).replace(u'\n', QStringLiteral("\\n"));
}

// No element of argv contains any of the values, in whole or as a part.
inline bool carriesNone(const RemoteCommand& command, const QStringList& values)
{
    for (const QString& arg : command.argv) {
        for (const QString& value : values) {
            if (!value.isEmpty() && arg.contains(value))
                return false;
        }
    }
    return true;
}

} // namespace adaptertest
