#include "gui/main/mainwindow.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/campaignpanel.h"
#include "gui/charts/chartspanel.h"
#include "gui/cluster/clusterprofiles.h"
#include "gui/cluster/clusterprofilespanel.h"
#include "gui/cluster/guiprompter.h"
#include "gui/jobs/jobspanel.h"
#include "gui/main/recentcampaigns.h"
#include "gui/results/resultspanel.h"
#include "model/trialstore.h"

#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QUndoStack>

#include <utility>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    m_editor = new CampaignEditor(this);
    m_profiles = new ClusterProfiles(this);
    m_prompter = new GuiPrompter(this);
    m_run = new RunController(*m_prompter, this);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_campaignPanel = new CampaignPanel(m_editor, m_tabs);
    m_clusterPanel = new ClusterProfilesPanel(m_profiles, m_tabs);
    m_jobsPanel = new JobsPanel(m_run->trials(), m_tabs);
    m_chartsPanel = new ChartsPanel(m_run->trials(), m_tabs);
    m_resultsPanel = new ResultsPanel(m_run->trials(), m_tabs);
    m_tabs->addTab(m_campaignPanel, tr("Campaign"));
    m_tabs->addTab(m_clusterPanel, tr("Cluster profiles"));
    m_tabs->addTab(m_jobsPanel, tr("Jobs"));
    m_tabs->addTab(m_chartsPanel, tr("Charts"));
    m_tabs->addTab(m_resultsPanel, tr("Results"));
    setCentralWidget(m_tabs);

    m_runLabel = new QLabel(this);
    m_connectionLabel = new QLabel(this);
    m_pauseLabel = new QLabel(this);
    m_countsLabel = new QLabel(this);
    m_runLabel->setObjectName(u"runState"_s);
    m_connectionLabel->setObjectName(u"connectionState"_s);
    m_pauseLabel->setObjectName(u"submissionsPaused"_s);
    m_pauseLabel->setVisible(false);
    m_countsLabel->setObjectName(u"trialCounts"_s);
    statusBar()->addWidget(m_runLabel);
    statusBar()->addWidget(m_countsLabel, 1);
    statusBar()->addPermanentWidget(m_pauseLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);

    createActions();
    createMenus();

    connect(m_editor, &CampaignEditor::changed, this, &MainWindow::updateActions);
    connect(m_editor, &CampaignEditor::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_editor, &CampaignEditor::sourcePathChanged, this, &MainWindow::updateTitle);
    connect(m_campaignPanel, &CampaignPanel::runAllowedChanged, this, &MainWindow::updateActions);
    connect(m_clusterPanel, &ClusterProfilesPanel::useProfile, this,
            [this](const QString& name) { m_editor->setCluster(m_profiles->profile(name)); });
    connect(m_jobsPanel, &JobsPanel::cancelTrialRequested, m_run, &RunController::cancelTrial);
    connect(m_run, &RunController::stateChanged, this, &MainWindow::updateActions);
    connect(m_run, &RunController::stateChanged, this, &MainWindow::updateStatus);
    connect(m_run, &RunController::connectionChanged, m_connectionLabel, &QLabel::setText);
    connect(m_run, &RunController::submissionsPaused, this, [this](const QString& reason) {
        m_pauseLabel->setText(reason);
        m_pauseLabel->setToolTip(reason);
        m_pauseLabel->setVisible(!reason.isEmpty());
    });
    connect(m_run, &RunController::failedToStart, this, &MainWindow::showRunFailure);
    connect(m_run, &RunController::loaded, this, &MainWindow::trialsLoaded);
    connect(m_run, &RunController::finished, this, [this](const engine::RunSummary& summary) {
        if (!summary.ok)
            warn(tr("Run stopped"), summary.error);
        updateStatus();
        emit runFinished(summary);
    });
    connect(m_run->trials(), &QAbstractItemModel::rowsInserted, this, &MainWindow::updateStatus);
    connect(m_run->trials(), &QAbstractItemModel::modelReset, this, &MainWindow::updateStatus);
    connect(m_run->trials(), &QAbstractItemModel::dataChanged, this, &MainWindow::updateStatus);

    m_editor->newCampaign();
    resize(1280, 820);
    updateActions();
    updateTitle();
    updateStatus();
}

MainWindow::~MainWindow()
{
    // Children go in creation order, controllers first: the panels hold on to them (a panel's
    // destructor disconnects from its controller), so they must go before.
    delete m_tabs;
    // The engine's threads may be waiting on a question: answered first, and the run stops while the
    // prompter they ask still exists.
    m_prompter->declineAll();
    delete m_run;
    m_run = nullptr;
}

void MainWindow::createActions()
{
    m_newAction = new QAction(tr("&New Campaign"), this);
    m_newAction->setShortcut(QKeySequence::New);
    connect(m_newAction, &QAction::triggered, this, [this] {
        if (confirmDiscard())
            m_editor->newCampaign();
    });
    m_openAction = new QAction(tr("&Open…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openDialog);
    m_saveAction = new QAction(tr("&Save"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::saveCampaign);
    m_saveAsAction = new QAction(tr("Save &As…"), this);
    m_saveAsAction->setShortcut(QKeySequence::SaveAs);
    connect(m_saveAsAction, &QAction::triggered, this, &MainWindow::saveCampaignAs);
    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_undoAction = m_editor->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_editor->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setShortcut(QKeySequence::Redo);

    m_startAction = new QAction(tr("&Start"), this);
    m_startAction->setShortcut(Qt::CTRL | Qt::Key_R);
    connect(m_startAction, &QAction::triggered, this, &MainWindow::startRun);
    m_pauseAction = new QAction(tr("&Pause Submissions"), this);
    m_pauseAction->setToolTip(tr("Submit no new trials; running jobs go on and are still watched"));
    connect(m_pauseAction, &QAction::triggered, m_run, &RunController::pause);
    m_resumeAction = new QAction(tr("&Resume Submissions"), this);
    connect(m_resumeAction, &QAction::triggered, m_run, &RunController::resume);
    m_cancelAllAction = new QAction(tr("&Cancel Campaign"), this);
    connect(m_cancelAllAction, &QAction::triggered, this, [this] {
        if (QMessageBox::question(this, tr("Cancel campaign"),
                                  tr("Cancel every running and queued trial of this campaign?"))
            == QMessageBox::Yes)
            m_run->cancelAll();
    });
    m_detachAction = new QAction(tr("&Leave Jobs Running and Stop Watching"), this);
    connect(m_detachAction, &QAction::triggered, m_run, &RunController::detach);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    m_recent = new RecentCampaigns(recent, this);
    connect(m_recent, &RecentCampaigns::openRequested, this, [this](const QString& path) {
        if (confirmDiscard())
            openCampaign(path);
    });
    file->addAction(m_saveAction);
    file->addAction(m_saveAsAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_startAction);
    run->addAction(m_pauseAction);
    run->addAction(m_resumeAction);
    run->addSeparator();
    run->addAction(m_cancelAllAction);
    run->addAction(m_detachAction);
}

void MainWindow::updateActions()
{
    const RunController::State state = m_run->state();
    const bool idle = state == RunController::State::Idle;
    const bool loading = m_run->isLoading();
    m_startAction->setEnabled(idle && !loading && m_campaignPanel->runAllowed());
    m_pauseAction->setEnabled(state == RunController::State::Running);
    m_resumeAction->setEnabled(state == RunController::State::Paused);
    m_cancelAllAction->setEnabled(state == RunController::State::Running || state == RunController::State::Paused);
    m_detachAction->setEnabled(!idle);
    m_openAction->setEnabled(idle && !loading);
    m_newAction->setEnabled(idle && !loading);
}

void MainWindow::updateTitle()
{
    const QString path = m_editor->sourcePath();
    const QString name = path.isEmpty() ? tr("Untitled campaign") : QFileInfo(path).fileName();
    setWindowTitle(u"%1[*] — Sweepline"_s.arg(name));
    setWindowModified(m_editor->isModified());
}

void MainWindow::updateStatus()
{
    static const QHash<RunController::State, QString> names{{RunController::State::Idle, tr("Idle")},
                                                            {RunController::State::Starting, tr("Starting…")},
                                                            {RunController::State::Running, tr("Running")},
                                                            {RunController::State::Paused, tr("Submissions paused")},
                                                            {RunController::State::Stopping, tr("Cancelling…")}};
    m_runLabel->setText(m_run->isLoading() ? tr("Reading the trials…") : names.value(m_run->state()));
    const QHash<model::TrialState, int> counts = model::countByState(m_run->trials()->trials());
    QStringList parts;
    for (model::TrialState s : model::allTrialStates()) {
        if (counts.value(s))
            parts.append(u"%1 %2"_s.arg(counts.value(s)).arg(model::toString(s)));
    }
    m_countsLabel->setText(parts.join(u" · "_s));
    if (m_run->state() == RunController::State::Idle && m_connectionLabel->text().startsWith(u"connected"_s))
        m_connectionLabel->setText(tr("not connected"));
}

bool MainWindow::openCampaign(const QString& path, const QString& storeDirectory)
{
    auto loaded = m_editor->load(path);
    if (!loaded) {
        QMessageBox::warning(this, tr("Cannot open campaign"), loaded.error());
        return false;
    }
    m_editor->setStateDirectoryOverride(storeDirectory);
    m_recent->add(path);
    m_afterLoad = AfterLoad::MonitorUnfinished;
    m_tabs->setCurrentWidget(m_campaignPanel);
    if (const auto campaign = m_editor->runnableCampaign())
        m_run->open(*campaign, m_editor->stateDirectory());
    updateActions();
    updateStatus();
    return true;
}

void MainWindow::trialsLoaded(const model::Status& status)
{
    const AfterLoad next = std::exchange(m_afterLoad, AfterLoad::Nothing);
    updateActions();
    updateStatus();
    if (!status) {
        warn(tr("Cannot read the campaign's trials"), status.error());
        return;
    }
    if (next == AfterLoad::Start) {
        if (const auto campaign = m_editor->runnableCampaign())
            m_run->start(*campaign, false, true);
        return;
    }
    if (m_run->trials()->rowCount() > 0)
        m_tabs->setCurrentWidget(m_jobsPanel);
    if (next == AfterLoad::MonitorUnfinished && m_run->hasUnfinishedTrials())
        m_run->monitor(); // jobs of an earlier run are still out there: watch them again
}

void MainWindow::startRun()
{
    if (m_editor->sourcePath().isEmpty() || m_editor->isModified()) {
        // Job files are found relative to the campaign file, and the CLI must see what runs.
        if (!saveCampaign())
            return;
    }
    const auto campaign = m_editor->runnableCampaign();
    if (!campaign) {
        m_tabs->setCurrentWidget(m_campaignPanel);
        return;
    }
    m_tabs->setCurrentWidget(m_jobsPanel);
    if (m_run->stateDirectory() != m_editor->stateDirectory()) {
        // Started once the recorded trials are shown, and not when they cannot be read.
        m_afterLoad = AfterLoad::Start;
        m_run->open(*campaign, m_editor->stateDirectory());
        updateActions();
        updateStatus();
        return;
    }
    m_run->start(*campaign, false, true);
}

void MainWindow::warn(const QString& title, const QString& message)
{
    if (m_unattended)
        qCritical("%s: %s", qPrintable(title), qPrintable(message));
    else
        QMessageBox::warning(this, title, message);
}

void MainWindow::showRunFailure(const QString& message, bool definitionChanged)
{
    if (definitionChanged && !m_unattended) {
        const auto answer =
            QMessageBox::question(this, tr("The campaign definition changed"),
                                  tr("%1\n\nContinue the recorded trials with the new definition?").arg(message));
        if (answer == QMessageBox::Yes) {
            if (const auto campaign = m_editor->runnableCampaign())
                m_run->start(*campaign, true, true);
        }
        return;
    }
    warn(tr("Cannot start the run"), message);
}

bool MainWindow::saveCampaign()
{
    if (m_editor->sourcePath().isEmpty())
        return saveCampaignAs();
    if (auto saved = m_editor->save(m_editor->sourcePath()); !saved) {
        QMessageBox::warning(this, tr("Cannot save"), saved.error());
        return false;
    }
    return true;
}

bool MainWindow::saveCampaignAs()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save campaign"), m_editor->sourcePath(), tr("Campaigns (*.json)"));
    if (path.isEmpty())
        return false;
    if (auto saved = m_editor->save(path); !saved) {
        QMessageBox::warning(this, tr("Cannot save"), saved.error());
        return false;
    }
    m_recent->add(path);
    return true;
}

bool MainWindow::confirmDiscard()
{
    if (!m_editor->isModified())
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"), tr("Save the changes to this campaign?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return saveCampaign();
    return answer == QMessageBox::Discard;
}

void MainWindow::openDialog()
{
    if (!confirmDiscard())
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open campaign"), {}, tr("Campaigns (*.json)"));
    if (!path.isEmpty())
        openCampaign(path);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!confirmDiscard()) {
        event->ignore();
        return;
    }
    event->accept(); // running jobs go on; reopening the campaign watches them again
}

} // namespace sweepline::gui
