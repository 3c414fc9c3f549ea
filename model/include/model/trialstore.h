#pragma once

#include "model/campaign.h"
#include "model/result.h"
#include "model/trial.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <memory>

namespace sweepline::model {

// The crash-safe record of one campaign: SQLite in WAL mode with synchronous=FULL.
// Every mutating call is one committed transaction before it returns; a process killed at any
// moment leaves every acknowledged change on disk. One TrialStore per thread (its own connection).
class TrialStore {
public:
    enum class DefinitionPolicy {
        RequireSame,   // refuse a store made from a different campaign definition
        AcceptChanged, // the user chose to change the definition: record the new one and go on
    };

    // Opens or creates <directory>/trials.db for this campaign. Fails with DefinitionChanged when
    // the store holds another definition and the policy is RequireSame.
    static Result<std::unique_ptr<TrialStore>> open(const QString& directory, const Campaign& campaign,
                                                    DefinitionPolicy policy = DefinitionPolicy::RequireSame);
    enum class Access {
        ReadWrite,
        // Writes nothing, not even a schema upgrade or SQLite's -wal/-shm in a folder it cannot
        // write: status and export work on a read-only folder. Every change fails.
        ReadOnly,
    };
    // Opens an existing store as it is, whatever its definition (status, export, the GUI).
    // Fails with NotFound when there is none.
    static Result<std::unique_ptr<TrialStore>> openExisting(const QString& directory,
                                                            Access access = Access::ReadWrite);
    // Whether <directory> holds a store (opening one that does not would create it).
    static bool exists(const QString& directory);

    ~TrialStore();
    TrialStore(const TrialStore&) = delete;
    TrialStore& operator=(const TrialStore&) = delete;

    QString directory() const;
    QByteArray campaignJson() const;           // the definition the store was last opened with
    Result<Campaign> recordedCampaign() const; // campaignJson() parsed
    QString storeId() const;                   // random, made with the store: names its remote folders

    // A new Planned trial with the next id and a fresh unique token.
    Result<TrialRecord> addTrial(const QVariantList& values, const TrialLabels& labels);

    // State changes. Each checks that the transition is legal (see trial.h) and fails otherwise.
    Status markSubmitting(qint64 id); // attempt += 1
    Status markQueued(qint64 id, const QString& jobId, const QDateTime& at);
    Status markRunning(qint64 id, const QDateTime& at);
    // note: what the result rests on when it is not the whole run (see TrialRecord::note).
    // steps as in TrialRecord::steps (empty: 1..n).
    Status markDone(qint64 id, double value, const QList<double>& intermediate, const QDateTime& at,
                    const QString& note = {}, const QList<int>& steps = {});
    Status markFailed(qint64 id, const QString& error, const QList<double>& intermediate, const QDateTime& at,
                      const QString& note = {}, const QList<int>& steps = {});
    Status markCancelled(qint64 id, const QString& reason, const QDateTime& at);
    // The learning curve of a running (or queued) trial so far, read from the first curveOffset
    // bytes of its stdout: replaces the recorded curve. steps as in TrialRecord::steps.
    Status recordCurve(qint64 id, const QList<double>& intermediate, const QList<int>& steps, qint64 curveOffset);
    // The early-stopping rule stopped a running trial at this point; its job is being cancelled.
    // Committed before the cancel goes out, so a resumed engine cancels it again and records it pruned.
    Status markPruneRequested(qint64 id, const CurvePoint& at);
    // The job of a trial whose stop was asked for (markPruneRequested) ended without finishing. The
    // curve is what its stdout holds in the end (it may go past pruneAt: the job ran on until the
    // cancel reached it). value stays empty: a pruned trial has no final value.
    Status markPruned(qint64 id, const QList<double>& intermediate, const QList<int>& steps, const QDateTime& at,
                      const QString& note = {});
    // Back to Planned after a submission that certainly did not happen (the token was not found).
    Status markResubmittable(qint64 id, const QString& reason);
    // The start time the job script recorded, truer than when a poll first saw the job running.
    Status correctStartedAt(qint64 id, const QDateTime& at);

    Result<TrialRecord> trial(qint64 id) const;
    Result<QList<TrialRecord>> trials() const; // by id
    Result<QList<TrialRecord>> trialsIn(const QList<TrialState>& states) const;
    Result<QHash<TrialState, int>> countByState() const;

    struct StateChange {
        qint64 trialId;
        TrialState state;
        QDateTime at;
        QString note;
    };
    Result<QList<StateChange>> history(qint64 trialId) const; // every committed change, oldest first

    Result<QString> integrityCheck() const; // "ok" when SQLite's integrity_check passes

private:
    struct Private;
    explicit TrialStore(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

// Where a campaign keeps its state: "<dir>/<base>.sweepline" for "<dir>/<base>.json".
QString defaultStateDirectory(const QString& campaignPath);

} // namespace sweepline::model
