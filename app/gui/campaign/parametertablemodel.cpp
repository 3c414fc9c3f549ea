#include "gui/campaign/parametertablemodel.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/parameteredit.h"
#include "gui/campaign/valuelist.h"

#include <QColor>
#include <QFont>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

using model::Parameter;
using model::ParameterType;

namespace {

// Beyond this a combo of candidates is no help; the default is typed instead.
constexpr qsizetype kMaxOfferedCandidates = 2000;

QString boundText(double value, ParameterType type)
{
    if (type == ParameterType::Int)
        return QString::number(qint64(value));
    return model::Campaign::formatValue(QVariant(value));
}

QString columnHelp(int column)
{
    switch (column) {
    case ParameterTableModel::Name:
        return u"The name the command's {placeholder} uses: letters, digits and '_'"_s;
    case ParameterTableModel::Type:
        return u"int, float or choice"_s;
    case ParameterTableModel::Source:
        return u"A list of values, or a range that expands to candidates"_s;
    case ParameterTableModel::Values:
        return u"Comma-separated values; quote a choice that holds a comma: \"a, b\""_s;
    case ParameterTableModel::Step:
        return u"Distance between candidates (ints: 1 when neither step nor count is given)"_s;
    case ParameterTableModel::Count:
        return u"Number of candidates from min to max (required with log)"_s;
    case ParameterTableModel::Log:
        return u"Space the candidates logarithmically"_s;
    case ParameterTableModel::Default:
        return u"Where the search starts; one of the candidates"_s;
    case ParameterTableModel::Candidates:
        return u"How many values this parameter can take"_s;
    default:
        return {};
    }
}

} // namespace

ParameterTableModel::ParameterTableModel(CampaignEditor* editor, QObject* parent)
    : QAbstractTableModel(parent),
      m_editor(editor),
      m_rows(editor->campaign().parameters)
{
    const auto current = [this](int row) { return m_editor->campaign().parameters.at(row); };
    connect(editor, &CampaignEditor::parameterInserted, this, [this, current](int row) {
        beginInsertRows({}, row, row);
        m_rows.insert(row, current(row));
        endInsertRows();
    });
    connect(editor, &CampaignEditor::parameterRemoved, this, [this](int row) {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    });
    connect(editor, &CampaignEditor::parameterMoved, this, [this](int from, int to) {
        beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
        m_rows.move(from, to);
        endMoveRows();
    });
    connect(editor, &CampaignEditor::parameterChanged, this, [this, current](int row) {
        m_rows[row] = current(row);
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
    connect(editor, &CampaignEditor::parametersReset, this, [this] {
        beginResetModel();
        m_rows = m_editor->campaign().parameters;
        endResetModel();
    });
    connect(editor, &CampaignEditor::issuesChanged, this, &ParameterTableModel::mapIssues);
    mapIssues();
}

int ParameterTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ParameterTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool ParameterTableModel::isApplicable(int row, int column) const
{
    const Parameter& p = m_rows.at(row);
    switch (column) {
    case Source:
        return p.type != ParameterType::Choice;
    case Values:
        return !p.range;
    case Min:
    case Max:
    case Step:
    case Count:
    case Log:
        return p.range.has_value();
    default:
        return true;
    }
}

QVariant ParameterTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Parameter& p = m_rows.at(index.row());
    const int column = index.column();
    const QStringList issues = m_issues.value({index.row(), column});

    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (column) {
        case Name:
            return p.name;
        case Type:
            return model::typeKeyword(p.type);
        case Source:
            return p.range ? u"range"_s : u"list"_s;
        case Values:
            if (p.range)
                return role == Qt::DisplayRole ? abbreviatedValueList(p.candidates) : QVariant();
            return formatValueList(p.listedValues, p.type);
        case Min:
            return p.range ? boundText(p.range->min, p.type) : QVariant();
        case Max:
            return p.range ? boundText(p.range->max, p.type) : QVariant();
        case Step:
            return p.range && p.range->step ? boundText(*p.range->step, p.type) : QVariant();
        case Count:
            return p.range && p.range->count ? QString::number(*p.range->count) : QVariant();
        case Default:
            return model::Campaign::formatValue(p.defaultValue);
        case Candidates:
            if (role == Qt::EditRole)
                return QVariant();
            return p.candidates.isEmpty() ? u"—"_s : QString::number(p.candidates.size());
        default:
            return {};
        }
    case Qt::CheckStateRole:
        if (column == Log && p.range)
            return p.range->log ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ToolTipRole:
        if (!issues.isEmpty())
            return issues.join(u'\n');
        if (column == Candidates && !p.candidates.isEmpty())
            return abbreviatedValueList(p.candidates, 12);
        return columnHelp(column);
    case Qt::BackgroundRole:
        return issues.isEmpty() ? QVariant() : QVariant(QColor(0xff, 0xeb, 0xee));
    case Qt::ForegroundRole:
        if (!issues.isEmpty())
            return QColor(0xb7, 0x1c, 0x1c);
        if (!isApplicable(index.row(), column) || (column == Values && p.range) || column == Candidates)
            return QColor(0x75, 0x75, 0x75);
        return {};
    case Qt::FontRole:
        if (column == Values && p.range) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        if ((column >= Min && column <= Count) || column == Candidates)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case IssueRole:
        return issues;
    case ChoicesRole:
        if (column == Type)
            return QStringList{u"int"_s, u"float"_s, u"choice"_s};
        if (column == Source)
            return QStringList{u"list"_s, u"range"_s};
        if (column == Default && p.candidates.size() <= kMaxOfferedCandidates) {
            QStringList texts;
            for (const QVariant& candidate : p.candidates)
                texts.append(model::Campaign::formatValue(candidate));
            return texts;
        }
        return {};
    default:
        return {};
    }
}

QVariant ParameterTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        // Row numbers as the validator counts them: "parameters[0]" is row 0.
        if (role == Qt::DisplayRole && section >= 0 && section < m_rows.size())
            return QString::number(section);
        return {};
    }
    if (role == Qt::ToolTipRole)
        return columnHelp(section);
    if (role != Qt::DisplayRole)
        return {};
    static const QStringList titles{u"Name"_s, u"Type"_s,  u"Given as"_s, u"Values"_s,  u"Min"_s,       u"Max"_s,
                                    u"Step"_s, u"Count"_s, u"Log"_s,      u"Default"_s, u"Candidates"_s};
    return titles.value(section);
}

Qt::ItemFlags ParameterTableModel::flags(const QModelIndex& index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsSelectable | Qt::ItemIsEnabled;
    const int column = index.column();
    if (column == Candidates || !isApplicable(index.row(), column))
        return flags;
    if (column == Log)
        return flags | Qt::ItemIsUserCheckable;
    return flags | Qt::ItemIsEditable;
}

bool ParameterTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const int column = index.column();
    if (!(flags(index) & (Qt::ItemIsEditable | Qt::ItemIsUserCheckable)))
        return false;
    if (column == Log ? role != Qt::CheckStateRole : role != Qt::EditRole)
        return false;

    Parameter p = m_rows.at(index.row());
    const QString text = value.toString().trimmed();
    const auto reject = [this](const QString& message) {
        emit inputRejected(message);
        return false;
    };
    // A range bound in the parameter's own number type.
    const auto number = [&](const QString& t) -> std::optional<double> {
        auto parsed = parseValue(t, p.type == ParameterType::Int ? ParameterType::Int : ParameterType::Float);
        if (!parsed)
            return std::nullopt;
        return parsed.value().toDouble();
    };

    QString what;
    switch (column) {
    case Name:
        p.name = text;
        what = u"name"_s;
        break;
    case Type: {
        const QStringList types{u"int"_s, u"float"_s, u"choice"_s};
        if (!types.contains(text))
            return reject(u"The type must be int, float or choice, not \"%1\""_s.arg(text));
        p = withType(p, ParameterType(types.indexOf(text)));
        what = u"type"_s;
        break;
    }
    case Source:
        p = text == u"range" ? asRange(p) : asList(p);
        what = u"values"_s;
        break;
    case Values: {
        auto values = parseValueList(value.toString(), p.type);
        if (!values)
            return reject(u"Values of %1: %2"_s.arg(p.name, values.error()));
        p.listedValues = values.value();
        what = u"values"_s;
        break;
    }
    case Min:
    case Max:
    case Step: {
        std::optional<double> bound;
        if (!text.isEmpty() || column != Step) {
            bound = number(text);
            if (!bound)
                return reject(u"\"%1\" is not %2"_s.arg(
                    text, p.type == ParameterType::Int ? u"a whole number"_s : u"a number"_s));
        }
        if (column == Min)
            p.range->min = *bound;
        else if (column == Max)
            p.range->max = *bound;
        else
            p.range->step = bound;
        what = u"range"_s;
        break;
    }
    case Count: {
        bool ok = false;
        const int count = text.toInt(&ok);
        if (!text.isEmpty() && !ok)
            return reject(u"\"%1\" is not a whole number"_s.arg(text));
        p.range->count = text.isEmpty() ? std::nullopt : std::optional<int>(count);
        what = u"range"_s;
        break;
    }
    case Log:
        p = withLog(p, Qt::CheckState(value.toInt()) == Qt::Checked);
        what = u"range"_s;
        break;
    case Default: {
        if (!value.isValid() || (text.isEmpty() && p.type != ParameterType::Choice)) {
            p.defaultValue = QVariant();
        } else {
            auto parsed = parseValue(value.toString(), p.type);
            if (!parsed)
                return reject(u"Default of %1: %2"_s.arg(p.name, parsed.error()));
            p.defaultValue = parsed.value();
        }
        what = u"default"_s;
        break;
    }
    default:
        return false;
    }
    m_editor->setParameter(index.row(), p, what);
    return true;
}

std::optional<QList<QPoint>> ParameterTableModel::cellsForIssuePath(const QString& path)
{
    static const QRegularExpression pattern(
        u"^parameters(?:\\[(\\d+)\\](?:\\.(name|type|values|range|default)(?:\\[\\d+\\]|\\.(min|max|step|count|log))?)?)?"_s);
    const QRegularExpressionMatch match = pattern.match(path);
    if (!match.hasMatch())
        return std::nullopt;
    if (match.captured(1).isEmpty())
        return QList<QPoint>{}; // the parameters as a whole
    const int row = match.captured(1).toInt();
    const QString key = match.captured(2);
    const QString rangeKey = match.captured(3);
    const auto cell = [row](int column) { return QPoint(column, row); };
    if (key == u"name")
        return QList<QPoint>{cell(Name)};
    if (key == u"type")
        return QList<QPoint>{cell(Type)};
    if (key == u"default")
        return QList<QPoint>{cell(Default)};
    if (key == u"range") {
        static const QHash<QString, int> rangeColumns{
            {u"min"_s, Min}, {u"max"_s, Max}, {u"step"_s, Step}, {u"count"_s, Count}, {u"log"_s, Log}};
        if (!rangeKey.isEmpty())
            return QList<QPoint>{cell(rangeColumns.value(rangeKey))};
        return QList<QPoint>{cell(Min), cell(Max), cell(Step), cell(Count)};
    }
    return QList<QPoint>{cell(Values)}; // values, values[k], or the row as a whole
}

double ParameterTableModel::searchSpaceSize() const
{
    double size = m_rows.isEmpty() ? 0 : 1;
    for (const Parameter& p : m_rows)
        size *= double(p.candidates.size());
    return size;
}

void ParameterTableModel::mapIssues()
{
    QMap<std::pair<int, int>, QStringList> issues;
    for (const model::ValidationIssue& issue : m_editor->issues()) {
        const auto cells = cellsForIssuePath(issue.path);
        if (!cells)
            continue;
        for (const QPoint& cell : *cells) {
            if (cell.y() < m_rows.size())
                issues[{cell.y(), cell.x()}].append(issue.message);
        }
    }
    if (issues == m_issues)
        return;
    m_issues = issues;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

} // namespace sweepline::gui
