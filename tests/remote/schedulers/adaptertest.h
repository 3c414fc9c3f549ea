// Shared by the scheduler adapter tests: recorded outputs, a compact view of parsed statuses, and
// the hostile values no command may ever carry.
#pragma once

#include "remote/scheduler.h"
#include "remote/schedulers/adapterbase.h"

#include <QtTest>

namespace adaptertest {

using namespace Qt::StringLiterals;

using namespace sweepline::remote;

// A recorded output under tests/remote/schedulers/data; an empty name is an empty output.
inline QString fixture(const QString& name)
{
    if (name.isEmpty())
        return {};
    QFile file((QString::fromUtf8(SCHEDULER_TEST_DATA) + u"/"_s) + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(file.fileName()));
    return QString::fromUtf8(file.readAll());
}

inline QString stateName(SchedulerJobState state)
{
    switch (state) {
    case SchedulerJobState::Queued:
        return u"Queued"_s;
    case SchedulerJobState::Running:
        return u"Running"_s;
    case SchedulerJobState::Finished:
        return u"Finished"_s;
    case SchedulerJobState::Cancelled:
        return u"Cancelled"_s;
    case SchedulerJobState::Rejected:
        return u"Rejected"_s;
    }
    return u"?"_s;
}

// "id State exit raw", exit "-" when unknown, e.g. "1011 Finished - FAILED".
inline QStringList describe(const QList<SchedulerJobStatus>& jobs)
{
    QStringList result;
    for (const SchedulerJobStatus& job : jobs) {
        result.append(u"%1 %2 %3 %4"_s.arg(job.jobId, stateName(job.state),
                                           job.exitCode ? QString::number(*job.exitCode) : u"-"_s, job.rawState));
    }
    return result;
}

inline QString kindName(SubmitOutcome::Kind kind)
{
    switch (kind) {
    case SubmitOutcome::Kind::Submitted:
        return u"submitted"_s;
    case SubmitOutcome::Kind::Refused:
        return u"refused"_s;
    case SubmitOutcome::Kind::Limited:
        return u"limited"_s;
    case SubmitOutcome::Kind::Unclear:
        return u"unclear"_s;
    }
    return u"?"_s;
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
    spec.token = u"sw1a2b3c4d-7"_s;
    spec.jobDirectory = u"/home/alice/sweepline/demo/runs/7"_s;
    spec.timeLimitSeconds = limit;
    spec.directives = directives;
    return spec;
}

// Ids a corrupted database, a confused parser or an attacker-controlled output could hand back.
inline QStringList hostileIds()
{
    return {
        u"12345; rm -rf ~"_s,
        u"$(touch INJECTED)"_s,
        u"`id`"_s,
        u"-1"_s,
        u"--help"_s,
        u"12345\n6789"_s,
        u""_s,
        u" 12345"_s,
        u"12345 "_s,
        u"1 2"_s,
        u"../etc/passwd"_s,
        u"12345|x"_s,
        u"12345'"_s,
        u"１２３"_s,
        u"0x10"_s,
        u"12345"_s + QChar(0),
        u"*"_s,
        u"12345,6789"_s,
    };
}

inline QStringList hostileTokens()
{
    return {
        u"sw1; rm -rf ~"_s, u"$(id)"_s, u"-sw1"_s, u"1sw"_s,   u"sw 1"_s,    u"sw1,sw2"_s,
        u"sw1\nsw2"_s,      u""_s,      u"sw_1"_s, u"sw1=2"_s, u"sw1+sw2"_s, QString(70, u's'),
    };
}

// A test row name for a hostile value, with control characters made visible.
inline QString rowName(QString value)
{
    return value.replace(QChar(0), u"\\0"_s).replace(u'\n', u"\\n"_s);
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
