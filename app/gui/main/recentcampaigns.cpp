#include "gui/main/recentcampaigns.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {
const QString kKey = u"recentCampaigns"_s;
constexpr int kMaxEntries = 10;
} // namespace

RecentCampaigns::RecentCampaigns(QMenu* menu, QObject* parent) : QObject(parent), m_menu(menu)
{
    rebuildMenu();
}

QStringList RecentCampaigns::paths() const
{
    return QSettings().value(kKey).toStringList();
}

void RecentCampaigns::add(const QString& path)
{
    QStringList list = paths();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxEntries)
        list.removeLast();
    QSettings().setValue(kKey, list);
    rebuildMenu();
}

void RecentCampaigns::rebuildMenu()
{
    m_menu->clear();
    const QStringList list = paths();
    for (const QString& path : list) {
        QAction* action = m_menu->addAction(QDir::toNativeSeparators(path));
        action->setEnabled(QFileInfo::exists(path));
        connect(action, &QAction::triggered, this, [this, path] { emit openRequested(path); });
    }
    m_menu->setEnabled(!list.isEmpty());
}

} // namespace sweepline::gui
