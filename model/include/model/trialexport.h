#pragma once

#include "model/campaign.h"
#include "model/trial.h"

#include <QByteArray>
#include <QList>

namespace sweepline::model {

// CSV, RFC 4180: CRLF line ends, fields with a comma, quote, CR or LF are quoted, quotes doubled.
// Header: trial,state,<each parameter>,<metric>,job_id,submitted_at,started_at,finished_at,
//         elapsed_s,stage,batch,error,note,pruned_step,pruned_value
// New columns are only ever appended, so scripts that read the file keep working. A pruned trial
// has no <metric>; pruned_step and pruned_value say where the early-stopping rule stopped it.
QByteArray exportCsv(const Campaign& campaign, const QList<TrialRecord>& trials);

// {"campaign": name, "objective": {...}, "trials": [{"trial": 1, "state": "done", "parameters": {...},
//  "value": ..., "intermediate": [...], "steps": [...] (only when not 1..n), ...,
//  "pruned": {"step": ..., "value": ...} or null}]}. A pruned trial's value is null.
QByteArray exportJson(const Campaign& campaign, const QList<TrialRecord>& trials);

// The best finished trial for the campaign's direction, or nullptr.
const TrialRecord* bestTrial(const Campaign& campaign, const QList<TrialRecord>& trials);

} // namespace sweepline::model
