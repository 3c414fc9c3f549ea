#pragma once

// Six hand-made trials whose every value the filter and sort tests know by heart.

#include "model/campaign.h"
#include "model/trial.h"

#include <QDateTime>

namespace sweepline::testing {

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
    campaign.name = QStringLiteral("small");
    campaign.parameters = {
        smallParameter(QStringLiteral("hidden"), ParameterType::Int,
                       {qint64(8), qint64(16), qint64(32), qint64(64), qint64(128)}),
        smallParameter(QStringLiteral("lr"), ParameterType::Float, {0.001, 0.01, 0.1}),
        smallParameter(QStringLiteral("solver"), ParameterType::Choice, {QStringLiteral("sgd"), QStringLiteral("adam")}),
    };
    campaign.objective.metric = QStringLiteral("loss");
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
    trial.token = QStringLiteral("tok%1").arg(id);
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
    t1.jobId = QStringLiteral("4701");
    t1.submittedAt = now.addSecs(-600);
    t1.startedAt = now.addSecs(-590);
    t1.finishedAt = now.addSecs(-560);
    t1.value = 0.5;
    auto t2 = smallTrial(2, 16, 0.01, "sgd", S::Done);
    t2.jobId = QStringLiteral("4702");
    t2.submittedAt = now.addSecs(-600);
    t2.startedAt = now.addSecs(-500);
    t2.finishedAt = now.addSecs(-440);
    t2.value = 0.25;
    auto t3 = smallTrial(3, 128, 0.1, "adam", S::Failed);
    t3.jobId = QStringLiteral("4703");
    t3.error = QStringLiteral("out of memory\nkilled by the kernel");
    auto t4 = smallTrial(4, 32, 0.0010000000000000002, "sgd", S::Running);
    t4.jobId = QStringLiteral("4704");
    t4.submittedAt = now.addSecs(-400);
    t4.startedAt = now.addSecs(-100);
    auto t5 = smallTrial(5, 64, 0.01, "adam", S::Planned);
    auto t10 = smallTrial(10, 16, 0.1, "adam", S::Cancelled);
    t10.jobId = QStringLiteral("4710");
    t10.submittedAt = now.addSecs(-300);
    t10.finishedAt = now.addSecs(-60);
    return {t1, t2, t3, t4, t5, t10};
}

} // namespace sweepline::testing
