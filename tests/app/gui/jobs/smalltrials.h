#pragma once

// Six hand-made trials whose every value the filter and sort tests know by heart.

#include "model/campaign.h"
#include "model/trial.h"

#include <QDateTime>

namespace sweepline::testing {

using namespace Qt::StringLiterals;

inline model::Parameter smallParameter(const QString& name, model::ParameterType type, const QVariantList& values)
{
    model::Parameter p;
    p.name = name;
    p.type = type;
    p.listedValues = values;
    p.candidates = values;
    return p;
}

inline model::Campaign smallCampaign()
{
    using model::ParameterType;
    model::Campaign campaign;
    campaign.name = u"small"_s;
    campaign.parameters = {
        smallParameter(u"hidden"_s, ParameterType::Int, {qint64(8), qint64(16), qint64(32), qint64(64), qint64(128)}),
        smallParameter(u"lr"_s, ParameterType::Float, {0.001, 0.01, 0.1}),
        smallParameter(u"solver"_s, ParameterType::Choice, {u"sgd"_s, u"adam"_s}),
    };
    campaign.objective.metric = u"loss"_s;
    return campaign;
}

inline QDateTime smallNow()
{
    return QDateTime(QDate(2026, 3, 2), QTime(12, 0, 0), Qt::UTC);
}

inline model::TrialRecord smallTrial(qint64 id, qint64 hidden, double lr, const char* solver, model::TrialState state)
{
    model::TrialRecord trial;
    trial.id = id;
    trial.token = u"tok%1"_s.arg(id);
    trial.values = {hidden, lr, QString::fromLatin1(solver)};
    trial.state = state;
    return trial;
}

// 1 done (loss 0.5, ran 30 s), 2 done (0.25, ran 60 s), 3 failed (two-line error), 4 running for
// 100 s at smallNow() with a computed lr of 0.001, 5 planned, 10 cancelled while queued.
inline QList<model::TrialRecord> smallTrials()
{
    using S = model::TrialState;
    const QDateTime now = smallNow();
    auto t1 = smallTrial(1, 8, 0.001, "adam", S::Done);
    t1.jobId = u"4701"_s;
    t1.submittedAt = now.addSecs(-600);
    t1.startedAt = now.addSecs(-590);
    t1.finishedAt = now.addSecs(-560);
    t1.value = 0.5;
    auto t2 = smallTrial(2, 16, 0.01, "sgd", S::Done);
    t2.jobId = u"4702"_s;
    t2.submittedAt = now.addSecs(-600);
    t2.startedAt = now.addSecs(-500);
    t2.finishedAt = now.addSecs(-440);
    t2.value = 0.25;
    auto t3 = smallTrial(3, 128, 0.1, "adam", S::Failed);
    t3.jobId = u"4703"_s;
    t3.error = u"out of memory\nkilled by the kernel"_s;
    auto t4 = smallTrial(4, 32, 0.0010000000000000002, "sgd", S::Running);
    t4.jobId = u"4704"_s;
    t4.submittedAt = now.addSecs(-400);
    t4.startedAt = now.addSecs(-100);
    auto t5 = smallTrial(5, 64, 0.01, "adam", S::Planned);
    auto t10 = smallTrial(10, 16, 0.1, "adam", S::Cancelled);
    t10.jobId = u"4710"_s;
    t10.submittedAt = now.addSecs(-300);
    t10.finishedAt = now.addSecs(-60);
    return {t1, t2, t3, t4, t5, t10};
}

} // namespace sweepline::testing
