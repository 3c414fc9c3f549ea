#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace sweepline::gui {

// The most recently opened campaign files, kept in QSettings, shown as a menu.
class RecentCampaigns : public QObject {
    Q_OBJECT
public:
    explicit RecentCampaigns(QMenu* menu, QObject* parent = nullptr);

    void add(const QString& path);
    QStringList paths() const;

signals:
    void openRequested(const QString& path);

private:
    void rebuildMenu();
    QMenu* m_menu;
};

} // namespace sweepline::gui
