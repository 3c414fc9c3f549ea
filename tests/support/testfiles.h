#pragma once
// Reading what a test's campaign left behind: measurement logs, CSV exports, run files.

#include <QFile>
#include <QString>
#include <QStringList>

namespace sweepline::testing {

using namespace Qt::StringLiterals;

// The whole file as UTF-8; empty when it cannot be read.
inline QString fileText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// Its non-empty lines.
inline QStringList readLines(const QString& path)
{
    return fileText(path).split(u'\n', Qt::SkipEmptyParts);
}

// The rows of an RFC 4180 export (CRLF line ends), header first.
inline QStringList csvRows(const QString& path)
{
    return fileText(path).split(u"\r\n"_s, Qt::SkipEmptyParts);
}

} // namespace sweepline::testing
