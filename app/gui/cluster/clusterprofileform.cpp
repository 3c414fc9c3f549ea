#include "gui/cluster/clusterprofileform.h"

#include "gui/campaign/issuemarks.h"
#include "gui/cluster/sshconfigaliases.h"
#include "remote/scheduler.h"
#include "remote/schedulers/adapterbase.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QStringList nonEmptyLines(const QString& text)
{
    QStringList lines;
    for (const QString& line : text.split(u'\n')) {
        if (!line.trimmed().isEmpty())
            lines.append(line.trimmed());
    }
    return lines;
}

QString schedulerDescription(const QString& name)
{
    if (name == u"local")
        return u"This computer: no connection, jobs run here"_s;
    if (name == u"ssh")
        return u"A host without a batch scheduler: jobs run as background processes"_s;
    if (name == u"slurm")
        return u"Slurm: sbatch, squeue, scancel"_s;
    if (name == u"pjm")
        return u"Fujitsu PJM (Fugaku, Flow): pjsub, pjstat, pjdel"_s;
    if (name == u"pbs")
        return u"PBS Pro / OpenPBS: qsub, qstat, qdel"_s;
    return {};
}

} // namespace

ClusterProfileForm::ClusterProfileForm(QWidget* parent)
    : QWidget(parent),
      m_targets(std::make_unique<IssueTargets>()),
      m_scheduler(new QComboBox(this)),
      m_host(new QComboBox(this)),
      m_port(new QSpinBox(this)),
      m_user(new QLineEdit(this)),
      m_identity(new QLineEdit(this)),
      m_browseIdentity(new QPushButton(u"Browse…"_s, this)),
      m_workdir(new QLineEdit(this)),
      m_directives(new QPlainTextEdit(this)),
      m_setup(new QPlainTextEdit(this)),
      m_pollInterval(new QSpinBox(this)),
      m_parallelSubmissions(new QSpinBox(this)),
      m_maxQueued(new QSpinBox(this)),
      m_knownHosts(new QLineEdit(this)),
      m_sshConfig(new QLineEdit(this)),
      m_issueText(new QLabel(this))
{
    setStyleSheet(invalidFieldStyleSheet());
    m_scheduler->setObjectName(u"scheduler"_s);
    for (const QString& name : model::knownSchedulers()) {
        m_scheduler->addItem(name);
        m_scheduler->setItemData(m_scheduler->count() - 1, schedulerDescription(name), Qt::ToolTipRole);
    }
    m_host->setObjectName(u"host"_s);
    m_host->setEditable(true);
    m_host->setInsertPolicy(QComboBox::NoInsert);
    m_host->setToolTip(u"A login node, or a Host alias of your ~/.ssh/config (its settings apply)"_s);
    m_port->setObjectName(u"port"_s);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(u"from ssh config (22)"_s);
    m_user->setObjectName(u"user"_s);
    m_user->setPlaceholderText(u"from ssh config, else your login name"_s);
    m_identity->setObjectName(u"identity"_s);
    m_identity->setPlaceholderText(u"from ssh config or the SSH agent"_s);
    m_browseIdentity->setObjectName(u"browseIdentity"_s);
    m_workdir->setObjectName(u"workdir"_s);
    m_workdir->setToolTip(u"Where trials run on the cluster; relative to the home folder unless absolute"_s);
    m_directives->setObjectName(u"directives"_s);
    m_directives->setPlaceholderText(u"one per line, as after #SBATCH / #PJM / #PBS, e.g.\n-L rscgrp=cx-share"_s);
    m_directives->setTabChangesFocus(true);
    m_directives->setFixedHeight(72);
    m_setup->setObjectName(u"setup"_s);
    m_setup->setPlaceholderText(u"lines run before the command, e.g.\nmodule load cuda"_s);
    m_setup->setTabChangesFocus(true);
    m_setup->setFixedHeight(72);
    m_pollInterval->setObjectName(u"pollInterval"_s);
    m_pollInterval->setRange(0, 24 * 3600);
    m_pollInterval->setSuffix(u" s"_s);
    m_pollInterval->setToolTip(u"How often the scheduler is asked about the jobs"_s);
    m_parallelSubmissions->setObjectName(u"parallelSubmissions"_s);
    m_parallelSubmissions->setRange(1, 32);
    m_parallelSubmissions->setToolTip(
        u"At most this many submit commands (sbatch, pjsub, qsub) run at once on the login node; "
        "sites that limit submission rates may want 1"_s);
    m_maxQueued->setObjectName(u"maxQueued"_s);
    m_maxQueued->setRange(0, model::kMaxQueuedLimit);
    m_maxQueued->setSpecialValueText(u"no cap"_s); // 0 stands for "not set"; the key itself refuses 0
    m_maxQueued->setToolTip(u"At most this many of the campaign's jobs in the queue at once (queued and running); "
                            "set it under your site's per-user job limit"_s);
    m_knownHosts->setObjectName(u"knownHosts"_s);
    m_knownHosts->setPlaceholderText(u"~/.ssh/known_hosts"_s);
    m_sshConfig->setObjectName(u"sshConfig"_s);
    m_sshConfig->setPlaceholderText(u"~/.ssh/config"_s);
    m_issueText->setObjectName(u"profileIssues"_s);
    m_issueText->setWordWrap(true);
    m_issueText->setStyleSheet(u"color: #b71c1c;"_s);

    auto* identity = new QHBoxLayout;
    identity->addWidget(m_identity, 1);
    identity->addWidget(m_browseIdentity);

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(u"&Scheduler:"_s, m_scheduler);
    form->addRow(u"&Host:"_s, m_host);
    form->addRow(u"&Port:"_s, m_port);
    form->addRow(u"&User:"_s, m_user);
    auto* identityLabel = new QLabel(u"&Identity file:"_s, this);
    identityLabel->setBuddy(m_identity);
    form->addRow(identityLabel, identity);
    form->addRow(u"&Work folder:"_s, m_workdir);
    form->addRow(u"&Directives:"_s, m_directives);
    form->addRow(u"S&etup lines:"_s, m_setup);
    form->addRow(u"P&oll every:"_s, m_pollInterval);
    form->addRow(u"Su&bmissions at once:"_s, m_parallelSubmissions);
    form->addRow(u"&Jobs in the queue at most:"_s, m_maxQueued);
    form->addRow(u"&Known hosts file:"_s, m_knownHosts);
    form->addRow(u"SSH &config file:"_s, m_sshConfig);
    form->addRow(m_issueText);

    m_targets->add(u"cluster"_s, m_scheduler);
    m_targets->add(u"cluster.scheduler"_s, m_scheduler);
    m_targets->add(u"cluster.host"_s, m_host);
    m_targets->add(u"cluster.port"_s, m_port);
    m_targets->add(u"cluster.user"_s, m_user);
    m_targets->add(u"cluster.identity"_s, m_identity);
    m_targets->add(u"cluster.workdir"_s, m_workdir);
    m_targets->add(u"cluster.directives"_s, m_directives);
    m_targets->add(u"cluster.setup"_s, m_setup);
    m_targets->add(u"cluster.poll_interval_s"_s, m_pollInterval);
    m_targets->add(u"cluster.parallel_submissions"_s, m_parallelSubmissions);
    m_targets->add(u"cluster.max_queued"_s, m_maxQueued);
    m_targets->add(u"cluster.known_hosts"_s, m_knownHosts);
    m_targets->add(u"cluster.ssh_config"_s, m_sshConfig);

    connect(m_scheduler, &QComboBox::currentTextChanged, this, &ClusterProfileForm::userEdit);
    connect(m_host, &QComboBox::editTextChanged, this, &ClusterProfileForm::userEdit);
    connect(m_port, &QSpinBox::valueChanged, this, &ClusterProfileForm::userEdit);
    for (QSpinBox* spin : {m_pollInterval, m_parallelSubmissions, m_maxQueued})
        connect(spin, &QSpinBox::valueChanged, this, &ClusterProfileForm::userEdit);
    for (QLineEdit* line : {m_user, m_identity, m_workdir, m_knownHosts, m_sshConfig})
        connect(line, &QLineEdit::textEdited, this, &ClusterProfileForm::userEdit);
    connect(m_sshConfig, &QLineEdit::editingFinished, this, &ClusterProfileForm::refreshHostAliases);
    for (QPlainTextEdit* text : {m_directives, m_setup})
        connect(text, &QPlainTextEdit::textChanged, this, &ClusterProfileForm::userEdit);
    connect(m_browseIdentity, &QPushButton::clicked, this, &ClusterProfileForm::chooseIdentity);

    setSettings(model::ClusterSettings{});
}

ClusterProfileForm::~ClusterProfileForm() = default;

void ClusterProfileForm::setSettings(const model::ClusterSettings& settings)
{
    m_loading = true;
    m_scheduler->setCurrentText(settings.scheduler);
    m_sshConfig->setText(settings.sshConfig);
    refreshHostAliases();
    m_host->setEditText(settings.host);
    m_port->setValue(settings.port.value_or(0));
    m_user->setText(settings.user);
    m_identity->setText(settings.identity);
    m_workdir->setText(settings.workdir);
    m_directives->setPlainText(settings.directives.join(u'\n'));
    m_setup->setPlainText(settings.setup.join(u'\n'));
    m_pollInterval->setValue(settings.pollIntervalSeconds);
    m_parallelSubmissions->setValue(settings.parallelSubmissions);
    m_maxQueued->setValue(settings.maxQueued.value_or(0));
    m_knownHosts->setText(settings.knownHosts);
    m_loading = false;
    updateEnabled();
    validate();
}

model::ClusterSettings ClusterProfileForm::settings() const
{
    model::ClusterSettings s;
    s.scheduler = m_scheduler->currentText();
    s.setup = nonEmptyLines(m_setup->toPlainText());
    if (!s.isRemote())
        return s; // a local profile has nothing else; the validator refuses remote keys for it
    s.host = m_host->currentText().trimmed();
    if (m_port->value() > 0)
        s.port = m_port->value();
    s.user = m_user->text().trimmed();
    s.identity = m_identity->text().trimmed();
    s.workdir = m_workdir->text().trimmed();
    s.directives = nonEmptyLines(m_directives->toPlainText());
    s.pollIntervalSeconds = m_pollInterval->value();
    s.parallelSubmissions = m_parallelSubmissions->value();
    if (m_maxQueued->value() > 0)
        s.maxQueued = m_maxQueued->value();
    s.knownHosts = m_knownHosts->text().trimmed();
    s.sshConfig = m_sshConfig->text().trimmed();
    return s;
}

void ClusterProfileForm::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    updateEnabled();
}

QStringList ClusterProfileForm::issues() const
{
    return m_issues;
}

void ClusterProfileForm::updateEnabled()
{
    const bool remote = m_scheduler->currentText() != u"local";
    m_scheduler->setEnabled(!m_readOnly);
    m_setup->setEnabled(!m_readOnly);
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_host, m_port, m_user, m_identity, m_browseIdentity, m_workdir, m_directives,
                                         m_pollInterval, m_parallelSubmissions, m_maxQueued, m_knownHosts, m_sshConfig})
        w->setEnabled(!m_readOnly && remote);
}

void ClusterProfileForm::refreshHostAliases()
{
    const QStringList aliases = sshConfigHostAliases(m_sshConfig->text().trimmed());
    const QString text = m_host->currentText();
    const QSignalBlocker blocker(m_host);
    m_host->clear();
    m_host->addItems(aliases);
    m_host->setEditText(text);
}

void ClusterProfileForm::userEdit()
{
    if (m_loading)
        return;
    updateEnabled();
    validate();
    emit edited();
}

void ClusterProfileForm::validate()
{
    // The campaign validator judges a cluster section; ask it about a campaign around this one.
    model::Campaign probe = model::minimalValidCampaign();
    probe.cluster = settings();
    QList<model::ValidationIssue> issues = model::parseCampaign(model::toJson(probe)).issues;
    // Directives the scheduler would refuse at submission, said now.
    if (const auto adapter = remote::makeSchedulerAdapter(probe.cluster.scheduler)) {
        remote::JobSpec spec;
        spec.token = u"sw1-1"_s;
        spec.jobDirectory = u"/home/user/sweepline/probe/1"_s;
        spec.directives = probe.cluster.directives;
        if (auto ok = remote::checkJobSpec(*adapter, spec); !ok)
            issues.append({u"cluster.directives"_s, ok.error()});
    }
    m_targets->show(issues);
    m_issues.clear();
    for (const model::ValidationIssue& issue : std::as_const(issues))
        m_issues.append(issue.path.startsWith(u"cluster."_s) ? issue.path.mid(8) + u": "_s + issue.message
                                                             : issue.toString());
    m_issueText->setText(m_issues.join(u'\n'));
    m_issueText->setVisible(!m_issues.isEmpty());
}

void ClusterProfileForm::chooseIdentity()
{
    const QString start = m_identity->text().isEmpty() ? QDir::home().filePath(u".ssh"_s) : m_identity->text();
    auto* dialog = new QFileDialog(this, u"Private key file"_s, start);
    dialog->setObjectName(u"identityDialog"_s);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setFilter(QDir::Files | QDir::Hidden | QDir::AllDirs | QDir::NoDotAndDotDot);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& file) {
        // "~/" keeps the profile valid for the same user on another computer.
        const QString home = QDir::homePath() + u'/';
        m_identity->setText(file.startsWith(home) ? u"~/"_s + file.mid(home.size()) : file);
        userEdit();
    });
    dialog->open();
}

} // namespace sweepline::gui
