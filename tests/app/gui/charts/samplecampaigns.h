#pragma once

#include "model/campaign.h"
#include "model/trial.h"

#include <QDateTime>
#include <QList>

// Realistic synthetic campaigns for the chart tests, the screenshots and bench_gui, modelled on the
// two seed posters. Deterministic: the same arguments give the same trials.
namespace sweepline::samples {

// The d-Spline poster's pedestrian-route tuning: five parameters of five values each (rnn_size,
// grad_clip, learning_rate on a log range, dropout, lambda_param), FDE minimised, 8 jobs at once.
model::Campaign fiveParameterCampaign();
// `count` trials of an iterative one-dimensional search on it: batches of `batchSize`, stages 1..5
// in turn, the first trial at the defaults, about 3% failed, the last `unfinished` trials still
// queued or running at `now` (the rest finished before it), learning curves of 30 reports each.
QList<model::TrialRecord> fiveParameterTrials(const model::Campaign& campaign, int count, int batchSize = 8,
                                              int unfinished = 0);

// The Xcrypt poster's ResNet-50 batch-size sweep: batch_size 1..700 (default 256), loss minimised,
// grid search eight at a time; the largest sizes run out of memory.
model::Campaign batchSizeCampaign();
QList<model::TrialRecord> batchSizeTrials(const model::Campaign& campaign);

// When the synthetic campaigns start.
QDateTime sampleEpoch();

} // namespace sweepline::samples
