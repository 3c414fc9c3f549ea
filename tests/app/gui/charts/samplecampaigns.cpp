#include "samplecampaigns.h"

#include <QRandomGenerator>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::samples {

using model::Campaign;
using model::Parameter;
using model::ParameterType;
using model::TrialRecord;
using model::TrialState;

namespace {

Parameter listed(const QString& name, ParameterType type, const QVariantList& values, int defaultIndex)
{
    Parameter p;
    p.name = name;
    p.type = type;
    p.listedValues = values;
    p.candidates = values;
    p.defaultIndex = defaultIndex;
    p.defaultValue = values.at(defaultIndex);
    return p;
}

Parameter logRange(const QString& name, double min, double max, int count, int defaultIndex)
{
    Parameter p;
    p.name = name;
    p.type = ParameterType::Float;
    p.range = model::ParameterRange{min, max, std::nullopt, count, true};
    for (int i = 0; i < count; ++i)
        p.candidates.append(min * std::pow(max / min, double(i) / (count - 1)));
    p.defaultIndex = defaultIndex;
    p.defaultValue = p.candidates.at(defaultIndex);
    return p;
}

QList<double> learningCurve(double final, QRandomGenerator& random, int reports = 30)
{
    QList<double> curve;
    const double start = final * (2.2 + random.generateDouble());
    const double tau = 4 + 4 * random.generateDouble();
    for (int e = 1; e <= reports; ++e) {
        const double noise = (random.generateDouble() - 0.5) * 0.03 * final;
        curve.append(final + (start - final) * std::exp(-(e - 1) / tau) + (e == reports ? 0 : noise));
    }
    return curve;
}

} // namespace

QDateTime sampleEpoch()
{
    return QDateTime(QDate(2021, 6, 1), QTime(9, 0), Qt::UTC);
}

Campaign fiveParameterCampaign()
{
    Campaign c;
    c.name = u"pedestrian-fde"_s;
    c.parameters = {
        listed(u"rnn_size"_s, ParameterType::Int, {qint64(64), qint64(128), qint64(256), qint64(512), qint64(1024)}, 1),
        listed(u"grad_clip"_s, ParameterType::Float, {1.0, 5.0, 10.0, 20.0, 40.0}, 2),
        logRange(u"learning_rate"_s, 1e-4, 1e-2, 5, 2),
        listed(u"dropout"_s, ParameterType::Float, {0.0, 0.1, 0.2, 0.3, 0.5}, 3),
        listed(u"lambda_param"_s, ParameterType::Float, {0.0005, 0.001, 0.005, 0.01, 0.05}, 1),
    };
    c.objective.metric = u"FDE"_s;
    c.search.strategy = u"dspline"_s;
    c.search.maxTrials = 200;
    c.search.parallel = 8;
    c.job.command = u"python3 train.py"_s;
    return c;
}

QList<TrialRecord> fiveParameterTrials(const Campaign& campaign, int count, int batchSize, int unfinished)
{
    QRandomGenerator random(20211);
    // The optimum in candidate indexes and how strongly each axis matters.
    const QList<int> optimum{3, 1, 3, 1, 2};
    const QList<double> weight{0.030, 0.012, 0.040, 0.018, 0.010};
    auto fde = [&](const QList<int>& at) {
        double v = 0.46;
        for (int k = 0; k < at.size(); ++k)
            v += weight.at(k) * std::pow(at.at(k) - optimum.at(k), 2);
        return v * (1 + (random.generateDouble() - 0.5) * 0.06);
    };

    QList<int> base;
    for (const Parameter& p : campaign.parameters)
        base.append(*p.defaultIndex);
    double baseValue = 1e9;

    QList<TrialRecord> trials;
    QDateTime batchStart = sampleEpoch();
    const int batches = (count + batchSize - 1) / batchSize;
    const int stageLength = std::max(1, batches / 5);
    int id = 0;
    for (int b = 1; b <= batches && id < count; ++b) {
        const int stage = std::min(5, 1 + (b - 1) / stageLength);
        QDateTime batchEnd = batchStart;
        for (int j = 0; j < batchSize && id < count; ++j) {
            TrialRecord t;
            t.id = ++id;
            t.token = u"fde-%1"_s.arg(t.id);
            QList<int> at = base;
            if (t.id > 1) {
                // Move along `stage` random axes by one or two steps.
                for (int a = 0; a < stage; ++a) {
                    const int axis = random.bounded(5);
                    at[axis] = std::clamp(at[axis] + (random.bounded(2) ? 1 : -1) * (1 + random.bounded(2)), 0, 4);
                }
            }
            for (int k = 0; k < at.size(); ++k)
                t.values.append(campaign.parameters.at(k).candidates.at(at.at(k)));
            t.labels = {stage, QString(), b};
            t.jobId = QString::number(880000 + t.id);
            t.attempt = 1;
            t.createdAt = batchStart;
            t.submittedAt = batchStart.addSecs(5 + j * 2);
            t.startedAt = t.submittedAt.addSecs(60 + random.bounded(900));
            const double minutes = 40 + 12 * at.at(0) + random.bounded(25);
            t.finishedAt = t.startedAt.addSecs(qint64(minutes * 60));
            const double value = fde(at);
            if (random.bounded(100) < 3) {
                t.state = TrialState::Failed;
                t.error = u"exit code 1: CUDA out of memory"_s;
                t.finishedAt = t.startedAt.addSecs(120 + random.bounded(600));
            } else {
                t.state = TrialState::Done;
                t.value = value;
                t.intermediate = learningCurve(value, random);
                if (value < baseValue) {
                    baseValue = value;
                    base = at;
                }
            }
            batchEnd = std::max(batchEnd, t.finishedAt);
            trials.append(t);
        }
        batchStart = batchEnd.addSecs(60);
    }
    // The last ones have not finished yet: "now" is just after the last batch was submitted.
    for (int i = std::max(0, int(trials.size()) - unfinished); i < trials.size(); ++i) {
        TrialRecord& t = trials[i];
        t.value.reset();
        t.intermediate.clear();
        t.error.clear();
        t.finishedAt = QDateTime();
        t.state = i % 3 == 0 ? TrialState::Queued : TrialState::Running;
        if (t.state == TrialState::Queued)
            t.startedAt = QDateTime();
    }
    return trials;
}

Campaign batchSizeCampaign()
{
    Campaign c;
    c.name = u"resnet50-batch"_s;
    Parameter p;
    p.name = u"batch_size"_s;
    p.type = ParameterType::Int;
    p.range = model::ParameterRange{1, 700, 1.0, std::nullopt, false};
    for (qint64 b = 1; b <= 700; ++b)
        p.candidates.append(b);
    p.defaultIndex = 255;
    p.defaultValue = qint64(256);
    c.parameters = {p};
    c.objective.metric = u"loss"_s;
    c.search.strategy = u"grid"_s;
    c.search.maxTrials = 700;
    c.search.parallel = 8;
    c.job.command = u"python3 resnet.py --batch_size={batch_size} --num_iter=300"_s;
    return c;
}

QList<TrialRecord> batchSizeTrials(const Campaign& campaign)
{
    QRandomGenerator random(700);
    QList<TrialRecord> trials;
    QDateTime batchStart = sampleEpoch();
    QDateTime batchEnd = batchStart;
    // The grid starts at the default, then walks the candidates in order.
    QList<qint64> order{256};
    for (qint64 b = 1; b <= 700; ++b) {
        if (b != 256)
            order.append(b);
    }
    for (int i = 0; i < order.size(); ++i) {
        if (i > 0 && i % 8 == 0) {
            batchStart = batchEnd.addSecs(20);
            batchEnd = batchStart;
        }
        const qint64 b = order.at(i);
        TrialRecord t;
        t.id = i + 1;
        t.token = u"bs-%1"_s.arg(t.id);
        t.values = {campaign.parameters.at(0).candidates.at(b - 1)};
        t.labels = {0, QString(), i / 8 + 1};
        t.jobId = QString::number(120000 + t.id);
        t.attempt = 1;
        t.createdAt = batchStart;
        t.submittedAt = batchStart.addSecs(i % 8);
        t.startedAt = t.submittedAt.addSecs(5 + random.bounded(40));
        const double seconds = (32 + 0.24 * double(b)) * (0.92 + 0.16 * random.generateDouble());
        t.finishedAt = t.startedAt.addMSecs(qint64(seconds * 1000));
        if (b > 690 && b % 3 == 0) {
            t.state = TrialState::Failed;
            t.error = u"exit code 137: out of memory"_s;
            t.finishedAt = t.startedAt.addSecs(20);
        } else {
            const double l = std::log(double(b) / 210.0);
            double loss = 8.4305 + 0.12 * l * l + (random.generateDouble() - 0.5) * 0.03;
            if (random.bounded(40) == 0)
                loss += 0.05 + 0.2 * random.generateDouble(); // an unlucky run
            t.state = TrialState::Done;
            t.value = b == 210 ? 8.4305 : std::max(loss, 8.4332);
            t.intermediate = learningCurve(*t.value, random);
        }
        batchEnd = std::max(batchEnd, t.finishedAt);
        trials.append(t);
    }
    return trials;
}

} // namespace sweepline::samples
