#include "remote/ssh/endpoint.h"

#include "model/commandtemplate.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace sweepline::remote::ssh {

namespace {

struct ClientConfig {
    QString hostName;
    int port = 22;
    QString user;
    QStringList identityFiles;
    QStringList knownHostsFiles;
    QString proxyJump;
    QString proxyCommand;
};

// "ssh -G" prints the effective client configuration for a host, one "key value" per line.
model::Result<ClientConfig> readClientConfig(const QString& alias, const QString& configFile)
{
    using R = model::Result<ClientConfig>;
    const QString ssh = QStandardPaths::findExecutable(QStringLiteral("ssh"));
    if (ssh.isEmpty())
        return R::failure(QStringLiteral("the OpenSSH client (ssh) is needed to read ssh config files; install openssh-client"));
    QStringList args{QStringLiteral("-G")};
    if (!configFile.isEmpty())
        args << QStringLiteral("-F") << configFile;
    args << QStringLiteral("--") << alias;
    QProcess p;
    p.start(ssh, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return R::failure(QStringLiteral("cannot read the ssh configuration for \"%1\": %2")
                              .arg(alias, QString::fromUtf8(p.readAllStandardError()).trimmed()));
    ClientConfig c;
    const QStringList lines = QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        const qsizetype space = line.indexOf(QLatin1Char(' '));
        if (space < 0)
            continue;
        const QString key = line.left(space);
        const QString value = line.mid(space + 1).trimmed();
        if (key == QLatin1String("hostname"))
            c.hostName = value;
        else if (key == QLatin1String("port"))
            c.port = value.toInt();
        else if (key == QLatin1String("user"))
            c.user = value;
        else if (key == QLatin1String("identityfile"))
            c.identityFiles.append(expandHome(value));
        else if (key == QLatin1String("userknownhostsfile"))
            c.knownHostsFiles = value.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        else if (key == QLatin1String("proxyjump") && value != QLatin1String("none"))
            c.proxyJump = value;
        else if (key == QLatin1String("proxycommand") && value != QLatin1String("none"))
            c.proxyCommand = value;
    }
    return c;
}

} // namespace

QString expandHome(const QString& path)
{
    if (path == QLatin1String("~"))
        return QDir::homePath();
    if (path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

model::Result<Endpoint> resolveEndpoint(const model::ClusterSettings& cluster)
{
    using R = model::Result<Endpoint>;
    const QString configFile = cluster.sshConfig.isEmpty() ? QString() : expandHome(cluster.sshConfig);
    if (!configFile.isEmpty() && !QFileInfo::exists(configFile))
        return R::failure(QStringLiteral("cluster.ssh_config: file not found: %1").arg(configFile));
    auto config = readClientConfig(cluster.host, configFile);
    if (!config)
        return R::failure(config.error());

    Endpoint e;
    e.alias = cluster.host;
    e.hostName = config->hostName.isEmpty() ? cluster.host : config->hostName;
    e.port = cluster.port.value_or(config->port);
    e.user = cluster.user.isEmpty() ? config->user : cluster.user;
    if (!cluster.identity.isEmpty())
        e.identityFiles.append(expandHome(cluster.identity));
    for (const QString& f : config->identityFiles) {
        if (QFileInfo::exists(f) && !e.identityFiles.contains(f))
            e.identityFiles.append(f);
    }
    e.knownHostsFile = !cluster.knownHosts.isEmpty() ? expandHome(cluster.knownHosts)
                       : !config->knownHostsFiles.isEmpty() ? expandHome(config->knownHostsFiles.first())
                                                            : QDir::homePath() + QStringLiteral("/.ssh/known_hosts");
    if (!config->proxyCommand.isEmpty()) {
        e.proxyCommand = config->proxyCommand; // the user's own command, as ssh would run it
    } else if (!config->proxyJump.isEmpty()) {
        // libssh runs a ProxyCommand through /bin/sh; every part is quoted, and the jump host is
        // reached by the ssh binary with the same config file, so its alias resolves as it does for ssh.
        QStringList parts{QStringLiteral("exec"), QStringLiteral("ssh")};
        if (!configFile.isEmpty())
            parts << QStringLiteral("-F") << model::shellQuote(configFile);
        parts << QStringLiteral("-o") << QStringLiteral("BatchMode=yes") << QStringLiteral("-W")
              << QStringLiteral("'[%h]:%p'") << QStringLiteral("--") << model::shellQuote(config->proxyJump);
        e.proxyCommand = parts.join(QLatin1Char(' '));
    }
    return e;
}

} // namespace sweepline::remote::ssh
