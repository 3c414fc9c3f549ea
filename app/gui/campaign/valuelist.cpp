#include "gui/campaign/valuelist.h"

#include <QLocale>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

using model::ParameterType;

struct Item {
    QString text;
    bool quoted = false;
};

model::Result<QList<Item>> splitItems(const QString& text)
{
    QList<Item> items;
    Item current;
    bool inQuotes = false;
    bool closedQuote = false; // after a closing quote only spaces may follow before the comma
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                current.text += u'"';
                ++i;
            } else if (c == u'"') {
                inQuotes = false;
                closedQuote = true;
            } else {
                current.text += c;
            }
            continue;
        }
        if (c == u',') {
            if (!current.quoted)
                current.text = current.text.trimmed();
            items.append(current);
            current = {};
            closedQuote = false;
        } else if (c == u'"' && current.text.trimmed().isEmpty() && !current.quoted) {
            current = {{}, true};
            inQuotes = true;
        } else if (closedQuote) {
            if (!c.isSpace())
                return model::Result<QList<Item>>::failure(u"text after a closing quote: %1"_s.arg(text.mid(i)));
        } else {
            current.text += c;
        }
    }
    if (inQuotes)
        return model::Result<QList<Item>>::failure(u"a quote is not closed"_s);
    if (!current.quoted)
        current.text = current.text.trimmed();
    items.append(current);
    return items;
}

bool needsQuotes(const QString& choice)
{
    return choice.isEmpty() || choice.contains(u',') || choice.contains(u'"') || choice.trimmed() != choice;
}

} // namespace

model::Result<QVariant> parseValue(const QString& text, ParameterType type)
{
    const QString trimmed = text.trimmed();
    switch (type) {
    case ParameterType::Int: {
        bool ok = false;
        const qint64 value = trimmed.toLongLong(&ok);
        if (!ok)
            return model::Result<QVariant>::failure(u"\"%1\" is not a whole number"_s.arg(trimmed));
        return QVariant::fromValue(value);
    }
    case ParameterType::Float: {
        bool ok = false;
        const double value = QLocale::c().toDouble(trimmed, &ok);
        if (!ok || !std::isfinite(value))
            return model::Result<QVariant>::failure(u"\"%1\" is not a number"_s.arg(trimmed));
        return QVariant(value);
    }
    case ParameterType::Choice:
        return QVariant(trimmed);
    }
    return model::Result<QVariant>::failure(u"unknown parameter type"_s);
}

model::Result<QVariantList> parseValueList(const QString& text, ParameterType type)
{
    auto items = splitItems(text);
    if (!items)
        return model::Result<QVariantList>::failure(items.error());
    QVariantList values;
    for (const Item& item : items.value()) {
        if (item.text.isEmpty() && !item.quoted)
            continue;
        if (type == ParameterType::Choice) {
            values.append(QVariant(item.text));
            continue;
        }
        auto value = parseValue(item.text, type);
        if (!value)
            return model::Result<QVariantList>::failure(value.error());
        values.append(value.value());
    }
    return values;
}

QString formatValueList(const QVariantList& values, ParameterType type)
{
    QStringList texts;
    for (const QVariant& value : values) {
        QString text = model::Campaign::formatValue(value);
        if (type == ParameterType::Choice && needsQuotes(text))
            text = u'"' + text.replace(u"\""_s, u"\"\""_s) + u'"';
        texts.append(text);
    }
    return texts.join(u", "_s);
}

QString abbreviatedValueList(const QVariantList& values, int head)
{
    QStringList texts;
    if (values.size() <= head + 1) {
        for (const QVariant& value : values)
            texts.append(model::Campaign::formatValue(value));
    } else {
        for (int i = 0; i < head; ++i)
            texts.append(model::Campaign::formatValue(values.at(i)));
        texts.append(u"…"_s);
        texts.append(model::Campaign::formatValue(values.last()));
    }
    return texts.join(u", "_s);
}

} // namespace sweepline::gui
