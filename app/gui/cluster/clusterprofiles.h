#pragma once

#include "model/campaign.h"
#include "model/result.h"

#include <QMap>
#include <QObject>
#include <QStringList>

#include <memory>

class QSettings;

namespace sweepline::gui {

// Named cluster settings the user keeps between campaigns, in QSettings (group "clusterProfiles").
// Only what model::ClusterSettings holds is stored: host, user, key file path and so on, never a
// password or passphrase (those are asked for at each login and forgotten).
// "This computer" is built in and read-only, so a campaign can always run without any cluster.
class ClusterProfiles : public QObject {
    Q_OBJECT
public:
    // Profiles in the application's settings (QSettings with the organization and application names).
    explicit ClusterProfiles(QObject* parent = nullptr);
    // Profiles in an INI file of their own: tests, or a portable setup.
    explicit ClusterProfiles(const QString& settingsFile, QObject* parent = nullptr);
    ~ClusterProfiles() override;

    static QString builtInName();
    static bool isBuiltIn(const QString& name);

    QStringList names() const; // the built-in profile first, then the others by name
    bool contains(const QString& name) const;
    // The named profile's settings; the built-in (local) settings for a name that is not there, so
    // check contains() where that matters.
    model::ClusterSettings profile(const QString& name) const;

    // Adds or replaces a profile; refused for the built-in name and for an empty or multi-line name.
    model::Status setProfile(const QString& name, const model::ClusterSettings& settings);
    model::Status rename(const QString& from, const QString& to);
    bool remove(const QString& name); // false for the built-in profile or an unknown name

    // A name not used yet: "Cluster", "Cluster 2", ...
    QString unusedName(const QString& base) const;

signals:
    void changed();

private:
    void read();
    void write();
    static model::Status checkName(const QString& name);

    std::unique_ptr<QSettings> m_settings;
    QMap<QString, model::ClusterSettings> m_profiles; // the saved ones, not the built-in
};

} // namespace sweepline::gui
