#pragma once

#include "model/campaign.h"
#include "model/result.h"

#include <QList>
#include <QObject>
#include <QString>

#include <optional>

class QUndoStack;

namespace sweepline::gui {

// The campaign being edited, with its file. Every edit goes through the undo stack as a command (the
// main window's Edit menu uses undoStack()); after each one the campaign is validated by the CLI's own
// validator, parseCampaign(toJson(campaign)), and issues() lists its messages with JSON paths.
//
// The campaign may be invalid while it is edited (a parallel of 0, an empty list of values): that is
// what the user is fixing. Each parameter's candidates and defaultIndex are kept expanded, row by
// row, so they are right even while another part is broken. runnableCampaign() is what a run uses.
class CampaignEditor : public QObject {
    Q_OBJECT
public:
    explicit CampaignEditor(QObject* parent = nullptr);
    ~CampaignEditor() override;

    // A new campaign's starting point: one int parameter, metric "loss", grid search, this computer.
    static model::Campaign templateCampaign();

    const model::Campaign& campaign() const { return m_campaign; }
    QString sourcePath() const { return m_sourcePath; }
    // Where the campaign's trials are kept: the folder given with --store, else the one beside the
    // file (empty for a campaign never saved). A new or loaded document forgets a given folder.
    QString stateDirectory() const;
    void setStateDirectoryOverride(const QString& directory);
    QUndoStack* undoStack() const { return m_undoStack; }
    bool isModified() const;

    // The validator's messages for the current campaign, in document order; empty when valid.
    const QList<model::ValidationIssue>& issues() const { return m_issues; }
    bool isValid() const { return m_issues.isEmpty(); }
    // The validated campaign (candidates expanded, sourcePath set), or nullopt while invalid.
    std::optional<model::Campaign> runnableCampaign() const;

    // Replaces the document (not an undoable edit: the undo stack starts afresh).
    void newCampaign();
    void setCampaign(const model::Campaign& campaign, const QString& sourcePath = {});
    // Opens a campaign file. A file the validator refuses still opens when it is a JSON object, as
    // far as a Campaign can hold it, so it can be fixed here: the result lists the file's own issues
    // (empty for a valid file). A failure (unreadable, not JSON) leaves the document unchanged.
    model::Result<QList<model::ValidationIssue>> load(const QString& path);
    // Writes the campaign in the CLI's format (model::toJson), atomically, and makes path the
    // document's file. Invalid campaigns are saved too: they are work in progress.
    model::Status save(const QString& path);

    // --- Edits, each one undoable command. Edits that change nothing push nothing.
    void insertParameter(int row, const model::Parameter& parameter);
    // A fresh int parameter with a name not used yet, at row (-1: at the end).
    void addParameter(int row = -1);
    void removeParameter(int row);
    void moveParameter(int from, int to);
    // what names the change in the undo history ("type of lr").
    void setParameter(int row, const model::Parameter& parameter, const QString& what);

    void setName(const QString& name);
    void setMetric(const QString& metric);
    void setDirection(model::Direction direction);
    void setPattern(const QString& pattern);
    void setStepPattern(const QString& stepPattern);
    void setStrategy(const QString& strategy);
    void setMaxTrials(int maxTrials);
    void setParallel(int parallel);
    void setSeed(quint64 seed);
    // search.early_stopping: the rule, and each option (kept when the rule changes, so switching back
    // and forth loses nothing; the file holds only the chosen rule's options).
    void setEarlyStoppingRule(model::EarlyStoppingRule rule);
    void setStartupTrials(int startupTrials);
    void setWarmupSteps(int warmupSteps);
    void setMinSteps(int minSteps);
    void setReductionFactor(int reductionFactor);
    void setMaxSteps(std::optional<int> maxSteps); // nullopt: auto
    void setCommand(const QString& command);
    void setFiles(const QStringList& files);
    void setTimeLimit(const QString& timeLimit);
    void setCluster(const model::ClusterSettings& cluster);

signals:
    void changed(); // after every edit, undo, redo and document change
    void issuesChanged();
    void validityChanged(bool valid);
    void modifiedChanged(bool modified);
    void sourcePathChanged(const QString& path);
    // Row-level changes of the parameters, for item models that follow them.
    void parameterInserted(int row);
    void parameterRemoved(int row);
    void parameterMoved(int from, int to);
    void parameterChanged(int row);
    void parametersReset();

private:
    friend class ParameterRowCommand;
    friend class ParameterMoveCommand;
    friend class ParameterEditCommand;
    friend class SettingsCommand;

    // What commands call, in do and undo alike.
    void applyInsert(int row, model::Parameter parameter);
    void applyRemove(int row);
    void applyMove(int from, int to);
    void applyParameter(int row, model::Parameter parameter);
    void applySettings(const model::Campaign& settings); // everything but the parameters

    // Pushes a command that changes the non-parameter fields; key merges consecutive typing.
    template<typename Mutate>
    void editSettings(const QString& key, const QString& text, Mutate mutate);
    void afterChange();
    void revalidate();

    model::Campaign m_campaign;
    QString m_sourcePath;
    QString m_stateDirectoryOverride;
    QUndoStack* m_undoStack = nullptr;
    QList<model::ValidationIssue> m_issues;
    std::optional<model::Campaign> m_validated;
};

} // namespace sweepline::gui
