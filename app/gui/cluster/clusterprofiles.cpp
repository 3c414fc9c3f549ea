#include "gui/cluster/clusterprofiles.h"

#include <QSettings>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

const QString kGroup = u"clusterProfiles"_s;
const QString kArray = u"profiles"_s;

} // namespace

ClusterProfiles::ClusterProfiles(QObject* parent) : QObject(parent), m_settings(std::make_unique<QSettings>())
{
    read();
}

ClusterProfiles::ClusterProfiles(const QString& settingsFile, QObject* parent)
    : QObject(parent),
      m_settings(std::make_unique<QSettings>(settingsFile, QSettings::IniFormat))
{
    read();
}

ClusterProfiles::~ClusterProfiles() = default;

QString ClusterProfiles::builtInName()
{
    return u"This computer"_s;
}

bool ClusterProfiles::isBuiltIn(const QString& name)
{
    return name == builtInName();
}

QStringList ClusterProfiles::names() const
{
    return QStringList{builtInName()} + m_profiles.keys();
}

bool ClusterProfiles::contains(const QString& name) const
{
    return isBuiltIn(name) || m_profiles.contains(name);
}

model::ClusterSettings ClusterProfiles::profile(const QString& name) const
{
    return m_profiles.value(name, model::ClusterSettings{}); // the built-in one: scheduler "local"
}

model::Status ClusterProfiles::checkName(const QString& name)
{
    if (name.trimmed().isEmpty())
        return model::Status::failure(model::ErrorCode::InvalidInput, u"A profile needs a name"_s);
    if (name != name.trimmed() || name.contains(u'\n') || name.contains(u'\r'))
        return model::Status::failure(model::ErrorCode::InvalidInput,
                                      u"A profile name is one line without surrounding spaces"_s);
    if (isBuiltIn(name))
        return model::Status::failure(model::ErrorCode::InvalidInput,
                                      u"\"%1\" is built in and cannot be changed"_s.arg(name));
    return model::success();
}

model::Status ClusterProfiles::setProfile(const QString& name, const model::ClusterSettings& settings)
{
    if (auto ok = checkName(name); !ok)
        return ok;
    m_profiles.insert(name, settings);
    write();
    emit changed();
    return model::success();
}

model::Status ClusterProfiles::rename(const QString& from, const QString& to)
{
    if (from == to)
        return model::success();
    if (auto ok = checkName(from); !ok)
        return ok;
    if (auto ok = checkName(to); !ok)
        return ok;
    if (!m_profiles.contains(from))
        return model::Status::failure(model::ErrorCode::NotFound, u"There is no profile \"%1\""_s.arg(from));
    if (m_profiles.contains(to))
        return model::Status::failure(model::ErrorCode::InvalidInput, u"A profile \"%1\" exists already"_s.arg(to));
    m_profiles.insert(to, m_profiles.take(from));
    write();
    emit changed();
    return model::success();
}

bool ClusterProfiles::remove(const QString& name)
{
    if (isBuiltIn(name) || !m_profiles.remove(name))
        return false;
    write();
    emit changed();
    return true;
}

QString ClusterProfiles::unusedName(const QString& base) const
{
    QString name = base;
    for (int n = 2; contains(name); ++n)
        name = u"%1 %2"_s.arg(base).arg(n);
    return name;
}

void ClusterProfiles::read()
{
    m_profiles.clear();
    m_settings->beginGroup(kGroup);
    const int count = m_settings->beginReadArray(kArray);
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        const QString name = m_settings->value(u"name"_s).toString();
        if (!checkName(name))
            continue; // hand-edited or from another version: skip rather than fail
        model::ClusterSettings s;
        s.scheduler = m_settings->value(u"scheduler"_s, s.scheduler).toString();
        s.host = m_settings->value(u"host"_s).toString();
        if (const int port = m_settings->value(u"port"_s, 0).toInt(); port > 0)
            s.port = port;
        s.user = m_settings->value(u"user"_s).toString();
        s.identity = m_settings->value(u"identity"_s).toString();
        s.knownHosts = m_settings->value(u"knownHosts"_s).toString();
        s.sshConfig = m_settings->value(u"sshConfig"_s).toString();
        s.workdir = m_settings->value(u"workdir"_s, s.workdir).toString();
        s.directives = m_settings->value(u"directives"_s).toStringList();
        s.setup = m_settings->value(u"setup"_s).toStringList();
        s.pollIntervalSeconds = m_settings->value(u"pollIntervalSeconds"_s, s.pollIntervalSeconds).toInt();
        s.parallelSubmissions = m_settings->value(u"parallelSubmissions"_s, s.parallelSubmissions).toInt();
        if (const int maxQueued = m_settings->value(u"maxQueued"_s, 0).toInt(); maxQueued > 0)
            s.maxQueued = maxQueued;
        m_profiles.insert(name, s);
    }
    m_settings->endArray();
    m_settings->endGroup();
}

void ClusterProfiles::write()
{
    // The whole group is rewritten: an array shrinks only this way.
    m_settings->remove(kGroup);
    m_settings->beginGroup(kGroup);
    m_settings->beginWriteArray(kArray, int(m_profiles.size()));
    int i = 0;
    for (auto it = m_profiles.cbegin(); it != m_profiles.cend(); ++it, ++i) {
        const model::ClusterSettings& s = it.value();
        m_settings->setArrayIndex(i);
        m_settings->setValue(u"name"_s, it.key());
        m_settings->setValue(u"scheduler"_s, s.scheduler);
        m_settings->setValue(u"host"_s, s.host);
        m_settings->setValue(u"port"_s, s.port.value_or(0));
        m_settings->setValue(u"user"_s, s.user);
        m_settings->setValue(u"identity"_s, s.identity);
        m_settings->setValue(u"knownHosts"_s, s.knownHosts);
        m_settings->setValue(u"sshConfig"_s, s.sshConfig);
        m_settings->setValue(u"workdir"_s, s.workdir);
        m_settings->setValue(u"directives"_s, s.directives);
        m_settings->setValue(u"setup"_s, s.setup);
        m_settings->setValue(u"pollIntervalSeconds"_s, s.pollIntervalSeconds);
        m_settings->setValue(u"parallelSubmissions"_s, s.parallelSubmissions);
        m_settings->setValue(u"maxQueued"_s, s.maxQueued.value_or(0));
    }
    m_settings->endArray();
    m_settings->endGroup();
    m_settings->sync();
}

} // namespace sweepline::gui
