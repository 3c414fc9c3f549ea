#pragma once

#include "model/campaign.h"
#include "model/trial.h"

#include <QByteArray>
#include <QList>

namespace sweepline::model {

// CSV, RFC 4180: CRLF line ends, fields with a comma, quote, CR or LF are quoted, quotes doubled.
// Header: trial,state,<each parameter>,<metric>,job_id,submitted_at,started_at,finished_at,
//         elapsed_s,stage,batch,error,note
// New columns are only ever appended, so scripts that read the file keep working.
QByteArray exportCsv(const Campaign& campaign, const QList<TrialRecord>& trials);

// {"campaign": name, "objective": {...}, "trials": [{"trial": 1, "state": "done", "parameters": {...},
//  "value": ..., "intermediate": [...], ...}]}
QByteArray exportJson(const Campaign& campaign, const QList<TrialRecord>& trials);

// The best finished trial for the campaign's direction, or nullptr.
const TrialRecord* bestTrial(const Campaign& campaign, const QList<TrialRecord>& trials);

} // namespace sweepline::model
