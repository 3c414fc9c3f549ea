#pragma once

#include "gui/main/runcontroller.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QTabWidget;

namespace sweepline::gui {

class CampaignEditor;
class CampaignPanel;
class ChartsPanel;
class ClusterProfiles;
class ClusterProfilesPanel;
class GuiPrompter;
class JobsPanel;
class RecentCampaigns;
class ResultsPanel;

// The workbench window: it only lays out the panels, owns the menus, and wires panels to the two
// controllers (the campaign editor and the run controller). Logic lives in those, not here.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a campaign file and, when it has a state folder, the trials recorded there; a campaign
    // whose jobs were still running is monitored again.
    bool openCampaign(const QString& path, const QString& storeDirectory = {});
    void startRun();

    // Unattended (the screenshots mode): run failures go to stderr instead of a modal box that
    // nobody would close.
    void setUnattended(bool unattended) { m_unattended = unattended; }

    QTabWidget* panels() const { return m_tabs; }
    RunController* runController() const { return m_run; }

signals:
    void runFinished(const sweepline::engine::RunSummary& summary);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createMenus();
    void updateActions();
    void updateTitle();
    bool saveCampaign();
    bool saveCampaignAs();
    bool confirmDiscard();
    void openDialog();
    void showRunFailure(const QString& message, bool definitionChanged);
    void warn(const QString& title, const QString& message);
    void updateStatus();
    void trialsLoaded(const model::Status& status);

    CampaignEditor* m_editor = nullptr;
    ClusterProfiles* m_profiles = nullptr;
    GuiPrompter* m_prompter = nullptr;
    RunController* m_run = nullptr;
    RecentCampaigns* m_recent = nullptr;

    QTabWidget* m_tabs = nullptr;
    CampaignPanel* m_campaignPanel = nullptr;
    ClusterProfilesPanel* m_clusterPanel = nullptr;
    JobsPanel* m_jobsPanel = nullptr;
    ChartsPanel* m_chartsPanel = nullptr;
    ResultsPanel* m_resultsPanel = nullptr;

    // What the window does once the run controller shows a store's trials.
    enum class AfterLoad { Nothing, MonitorUnfinished, Start };
    AfterLoad m_afterLoad = AfterLoad::Nothing;
    bool m_unattended = false;
    QLabel* m_runLabel = nullptr;
    QLabel* m_connectionLabel = nullptr;
    QLabel* m_pauseLabel = nullptr; // why submissions wait (a site limit, max_queued); hidden otherwise
    QLabel* m_countsLabel = nullptr;

    QAction* m_newAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_saveAction = nullptr;
    QAction* m_saveAsAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_startAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_resumeAction = nullptr;
    QAction* m_cancelAllAction = nullptr;
    QAction* m_detachAction = nullptr;
};

} // namespace sweepline::gui
