#include "gui/campaign/jobsection.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/issuemarks.h"
#include "gui/campaign/placeholderlineedit.h"
#include "gui/campaign/scriptpreview.h"
#include "model/commandtemplate.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QString clusterSummary(const model::ClusterSettings& cluster)
{
    if (!cluster.isRemote())
        return u"This computer (scheduler local)"_s;
    QString where = cluster.host.isEmpty() ? u"(no host)"_s : cluster.host;
    if (!cluster.user.isEmpty())
        where = cluster.user + u'@' + where;
    if (cluster.port)
        where += u':' + QString::number(*cluster.port);
    const QString folder = cluster.workdir.startsWith(u'/') || cluster.workdir.startsWith(u'~')
        ? cluster.workdir
        : u"~/"_s + cluster.workdir;
    QString text = u"%1 via %2, in %3"_s.arg(cluster.scheduler, where, folder);
    if (!cluster.directives.isEmpty())
        text += u"; directives: "_s + cluster.directives.join(u"  "_s);
    return text;
}

QDir campaignFolder(const QString& sourcePath)
{
    return sourcePath.isEmpty() ? QDir::current() : QFileInfo(sourcePath).absoluteDir();
}

} // namespace

JobSection::JobSection(CampaignEditor* editor, QWidget* parent)
    : QWidget(parent),
      m_editor(editor),
      m_command(new PlaceholderLineEdit(this)),
      m_placeholderHint(new QLabel(this)),
      m_files(new QListWidget(this)),
      m_addFiles(new QPushButton(u"Add &files…"_s, this)),
      m_removeFiles(new QPushButton(u"Remo&ve"_s, this)),
      m_timeLimit(new QLineEdit(this)),
      m_cluster(new QLabel(this)),
      m_previewScheduler(new QComboBox(this)),
      m_preview(new QPlainTextEdit(this)),
      m_previewNotes(new QLabel(this))
{
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_command->setObjectName(u"jobCommand"_s);
    m_command->setFont(fixed);
    m_command->setToolTip(u"Runs in the trial's folder; each {name} becomes the parameter's value, quoted for "
                          "the shell. Type { to pick a parameter."_s);
    m_placeholderHint->setObjectName(u"placeholderHint"_s);
    m_placeholderHint->setWordWrap(true);

    m_files->setObjectName(u"jobFiles"_s);
    m_files->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_files->setMaximumHeight(90);
    m_files->setToolTip(u"Copied into each trial's folder; paths relative to the campaign file"_s);
    m_addFiles->setObjectName(u"addJobFiles"_s);
    m_removeFiles->setObjectName(u"removeJobFiles"_s);
    m_timeLimit->setObjectName(u"timeLimit"_s);
    m_timeLimit->setPlaceholderText(u"HH:MM:SS, MM:SS or D-HH:MM:SS; empty: none"_s);
    m_cluster->setObjectName(u"clusterSummary"_s);
    m_cluster->setWordWrap(true);
    m_cluster->setToolTip(u"Choose a cluster profile and \"Use for this campaign\" to change it"_s);

    m_previewScheduler->setObjectName(u"previewScheduler"_s);
    m_previewScheduler->addItems(model::knownSchedulers());
    m_preview->setObjectName(u"scriptPreview"_s);
    m_preview->setReadOnly(true);
    m_preview->setFont(fixed);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setMinimumHeight(170);
    m_previewNotes->setObjectName(u"scriptPreviewNotes"_s);
    m_previewNotes->setWordWrap(true);
    m_previewNotes->setStyleSheet(u"color: palette(mid);"_s);

    auto* fileButtons = new QVBoxLayout;
    fileButtons->addWidget(m_addFiles);
    fileButtons->addWidget(m_removeFiles);
    fileButtons->addStretch();
    auto* files = new QHBoxLayout;
    files->addWidget(m_files, 1);
    files->addLayout(fileButtons);

    auto* previewFor = new QHBoxLayout;
    previewFor->addWidget(new QLabel(u"Job script for"_s, this));
    previewFor->addWidget(m_previewScheduler);
    previewFor->addStretch();

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(u"&Command:"_s, m_command);
    form->addRow(QString(), m_placeholderHint);
    form->addRow(u"Files:"_s, files);
    form->addRow(u"&Time limit:"_s, m_timeLimit);
    form->addRow(u"Runs on:"_s, m_cluster);
    form->addRow(u"Preview:"_s, previewFor);
    form->addRow(m_preview);
    form->addRow(m_previewNotes);

    connect(m_command, &QLineEdit::textEdited, m_editor, &CampaignEditor::setCommand);
    connect(m_timeLimit, &QLineEdit::textEdited, m_editor, &CampaignEditor::setTimeLimit);
    connect(m_addFiles, &QPushButton::clicked, this, &JobSection::chooseFiles);
    connect(m_removeFiles, &QPushButton::clicked, this, &JobSection::removeSelectedFiles);
    connect(m_files, &QListWidget::itemSelectionChanged, this,
            [this] { m_removeFiles->setEnabled(!m_files->selectedItems().isEmpty()); });
    connect(m_previewScheduler, &QComboBox::currentTextChanged, this, &JobSection::refreshPreview);
    connect(m_editor, &CampaignEditor::changed, this, &JobSection::refresh);
    m_removeFiles->setEnabled(false);
    refresh();
}

void JobSection::registerIssueTargets(IssueTargets& targets)
{
    targets.add(u"job"_s, m_command);
    targets.add(u"job.command"_s, m_command);
    targets.add(u"job.files"_s, m_files);
    targets.add(u"job.time_limit"_s, m_timeLimit);
    targets.add(u"cluster"_s, m_cluster);
}

void JobSection::refresh()
{
    const model::Campaign& campaign = m_editor->campaign();
    if (m_command->text() != campaign.job.command)
        m_command->setText(campaign.job.command);
    if (m_timeLimit->text() != campaign.job.timeLimit)
        m_timeLimit->setText(campaign.job.timeLimit);

    QStringList names;
    for (const model::Parameter& p : campaign.parameters) {
        if (!p.name.isEmpty())
            names.append(p.name);
    }
    m_command->setPlaceholderNames(names);
    // A parameter the command never uses makes its trials repeat each other.
    auto parsed = model::CommandTemplate::parse(campaign.job.command);
    QStringList unused;
    if (parsed) {
        for (const QString& name : names) {
            if (!parsed->placeholders().contains(name))
                unused.append(u'{' + name + u'}');
        }
    }
    m_placeholderHint->setText(unused.isEmpty()
                                   ? QString()
                                   : u"Not in the command yet: %1 (type { to insert one)"_s.arg(unused.join(u", "_s)));
    m_placeholderHint->setVisible(!unused.isEmpty());

    // The list shows the files in order; rebuilt only when they differ, so a selection survives.
    QStringList shown;
    for (int i = 0; i < m_files->count(); ++i)
        shown.append(m_files->item(i)->text());
    if (shown != campaign.job.files) {
        m_files->clear();
        m_files->addItems(campaign.job.files);
    }
    for (int i = 0; i < m_files->count(); ++i) {
        QStringList messages;
        const QString path = u"job.files[%1]"_s.arg(i);
        for (const model::ValidationIssue& issue : m_editor->issues()) {
            if (issue.path == path)
                messages.append(issue.message);
        }
        m_files->item(i)->setBackground(messages.isEmpty() ? QBrush() : QBrush(QColor(0xff, 0xcd, 0xd2)));
        m_files->item(i)->setToolTip(messages.join(u'\n'));
    }

    m_cluster->setText(clusterSummary(campaign.cluster));
    if (campaign.cluster.scheduler != m_lastClusterScheduler) {
        // The preview follows where the campaign runs; another scheduler can still be picked to compare.
        m_lastClusterScheduler = campaign.cluster.scheduler;
        const QSignalBlocker blocker(m_previewScheduler);
        m_previewScheduler->setCurrentText(campaign.cluster.scheduler);
    }
    refreshPreview();
}

void JobSection::refreshPreview()
{
    const ScriptPreview preview =
        previewJobScript(m_editor->campaign(), m_previewScheduler->currentText(), m_editor->stateDirectory());
    if (m_preview->toPlainText() != preview.script)
        m_preview->setPlainText(preview.script);
    m_previewNotes->setText(preview.notes.join(u' '));
    m_previewNotes->setVisible(!preview.notes.isEmpty());
}

void JobSection::chooseFiles()
{
    // Not modal-and-wait: the dialog reports back through its signal.
    auto* dialog = new QFileDialog(this, u"Files to copy next to each trial"_s,
                                   campaignFolder(m_editor->sourcePath()).absolutePath());
    dialog->setObjectName(u"jobFilesDialog"_s);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::filesSelected, this, &JobSection::addFiles);
    dialog->open();
}

void JobSection::addFiles(const QStringList& absolutePaths)
{
    const QDir base = campaignFolder(m_editor->sourcePath());
    QStringList files = m_editor->campaign().job.files;
    for (const QString& path : absolutePaths) {
        // Relative to the campaign file, as the file format wants; one outside its folder gets "..",
        // which the validator marks.
        const QString relative = base.relativeFilePath(path);
        if (!files.contains(relative))
            files.append(relative);
    }
    m_editor->setFiles(files);
}

void JobSection::removeSelectedFiles()
{
    QStringList files = m_editor->campaign().job.files;
    QList<int> rows;
    for (const QListWidgetItem* item : m_files->selectedItems())
        rows.append(m_files->row(item));
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (int row : rows)
        files.removeAt(row);
    m_editor->setFiles(files);
}

} // namespace sweepline::gui
