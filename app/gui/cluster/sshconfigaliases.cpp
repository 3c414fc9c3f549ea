#include "gui/cluster/sshconfigaliases.h"

#include "remote/ssh/endpoint.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

constexpr int kMaxIncludeDepth = 16; // ssh's own limit
constexpr qint64 kMaxConfigSize = qint64(4) * 1024 * 1024;

// "Keyword arg1 arg2", "Keyword=arg", with double-quoted arguments; comments start with '#'.
QStringList splitLine(const QString& line)
{
    QStringList words;
    QString word;
    bool inQuotes = false;
    bool inWord = false;
    for (const QChar c : line) {
        if (inQuotes) {
            if (c == u'"')
                inQuotes = false;
            else
                word += c;
        } else if (c == u'"') {
            inQuotes = true;
            inWord = true;
        } else if (c.isSpace() || (c == u'=' && words.isEmpty())) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
        } else if (c == u'#' && !inWord) {
            break;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words.append(word);
    if (words.size() > 1 && words.at(1) == u"=")
        words.removeAt(1); // "Host = name"
    return words;
}

bool isPattern(const QString& name)
{
    return name.contains(u'*') || name.contains(u'?') || name.startsWith(u'!');
}

class Reader {
public:
    explicit Reader(QString sshDirectory) : m_sshDirectory(std::move(sshDirectory)) {}

    void read(const QString& path, int depth)
    {
        const QString canonical = QFileInfo(path).canonicalFilePath();
        if (depth > kMaxIncludeDepth || canonical.isEmpty() || m_visiting.contains(canonical))
            return;
        QFile file(canonical);
        if (!file.open(QIODevice::ReadOnly) || file.size() > kMaxConfigSize)
            return;
        m_visiting.insert(canonical);
        const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
        for (const QString& line : lines) {
            const QStringList words = splitLine(line);
            if (words.isEmpty())
                continue;
            const QString keyword = words.first().toLower();
            if (keyword == u"host") {
                for (const QString& name : words.mid(1)) {
                    if (!isPattern(name) && !m_aliases.contains(name))
                        m_aliases.append(name);
                }
            } else if (keyword == u"include") {
                for (const QString& pattern : words.mid(1))
                    include(pattern, depth);
            }
        }
        m_visiting.remove(canonical);
    }

    QStringList aliases() const { return m_aliases; }

private:
    void include(const QString& pattern, int depth)
    {
        QString path = remote::ssh::expandHome(pattern);
        if (QFileInfo(path).isRelative())
            path = QDir(m_sshDirectory).filePath(path);
        const QFileInfo info(path);
        const QString name = info.fileName();
        if (!name.contains(u'*') && !name.contains(u'?') && !name.contains(u'[')) {
            read(path, depth + 1);
            return;
        }
        // Wildcards in the file name only: "config.d/*". Sorted, as glob(3) returns them.
        const QDir folder = info.dir();
        for (const QString& match : folder.entryList({name}, QDir::Files | QDir::Readable, QDir::Name))
            read(folder.filePath(match), depth + 1);
    }

    QString m_sshDirectory;
    QStringList m_aliases;
    QSet<QString> m_visiting; // an Include loop must end
};

} // namespace

QStringList sshConfigHostAliases(const QString& configPath, const QString& userSshDirectory)
{
    const QString sshDirectory = userSshDirectory.isEmpty() ? QDir::home().filePath(u".ssh"_s) : userSshDirectory;
    const QString config =
        configPath.isEmpty() ? QDir(sshDirectory).filePath(u"config"_s) : remote::ssh::expandHome(configPath);
    Reader reader(sshDirectory);
    reader.read(config, 0);
    return reader.aliases();
}

} // namespace sweepline::gui
