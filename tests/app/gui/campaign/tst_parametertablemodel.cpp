#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/parametertablemodel.h"
#include "gui/campaign/valuelist.h"
#include "support/verifyresult.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::gui;

using Column = ParameterTableModel::Column;

class TestParameterTableModel : public QObject {
    Q_OBJECT
private slots:
    void modelContract();
    void editsBecomeParameters_data();
    void editsBecomeParameters();
    void rejectedInput();
    void typeAndSourceChanges();
    void issuesMarkCells();
    void defaultChoices();
    void cellsForIssuePath_data();
    void cellsForIssuePath();
    void parseValueList_data();
    void parseValueList();
    void formatValueListRoundTrips();
};

void TestParameterTableModel::modelContract()
{
    CampaignEditor editor;
    ParameterTableModel model(&editor);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.columnCount(), int(ParameterTableModel::ColumnCount));

    editor.addParameter();
    editor.addParameter(0);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, Column::Name).data().toString(), u"param3"_s);
    editor.moveParameter(0, 2);
    QCOMPARE(model.index(2, Column::Name).data().toString(), u"param3"_s);
    editor.moveParameter(2, 1);
    QCOMPARE(model.index(1, Column::Name).data().toString(), u"param3"_s);
    QVERIFY(model.setData(model.index(1, Column::Source), u"range"_s));
    QVERIFY(model.setData(model.index(1, Column::Log), Qt::Checked, Qt::CheckStateRole));
    editor.removeParameter(0);
    QCOMPARE(model.rowCount(), 2);
    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(model.rowCount(), 1);
    while (editor.undoStack()->canRedo())
        editor.undoStack()->redo();
    QCOMPARE(model.rowCount(), 2);
    editor.newCampaign();
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, Column::Name).data().toString(), u"x"_s);
}

void TestParameterTableModel::editsBecomeParameters_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected"); // the row in the file format

    QTest::addRow("name") << int(Column::Name) << u"width"_s
                          << QByteArray(R"({"name":"width","type":"int","values":[1,2,4,8],"default":1})");
    QTest::addRow("values") << int(Column::Values) << u"1, 5,7,"_s
                            << QByteArray(R"({"name":"x","type":"int","values":[1,5,7],"default":1})");
    QTest::addRow("type float") << int(Column::Type) << u"float"_s
                                << QByteArray(
                                       R"({"name":"x","type":"float","values":[1.0,2.0,4.0,8.0],"default":1.0})");
    QTest::addRow("type choice") << int(Column::Type) << u"choice"_s
                                 << QByteArray(
                                        R"({"name":"x","type":"choice","values":["1","2","4","8"],"default":"1"})");
    QTest::addRow("range") << int(Column::Source) << u"range"_s
                           << QByteArray(R"({"name":"x","type":"int","range":{"min":1,"max":8,"step":1},"default":1})");
    QTest::addRow("default") << int(Column::Default) << u"4"_s
                             << QByteArray(R"({"name":"x","type":"int","values":[1,2,4,8],"default":4})");
    QTest::addRow("no default") << int(Column::Default) << QString()
                                << QByteArray(R"({"name":"x","type":"int","values":[1,2,4,8]})");
}

void TestParameterTableModel::editsBecomeParameters()
{
    QFETCH(int, column);
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    CampaignEditor editor;
    ParameterTableModel model(&editor);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.setData(model.index(0, column), text));
    QVERIFY(changed.count() >= 1);
    QCOMPARE(editor.undoStack()->count(), 1);

    model::Campaign probe = editor.campaign();
    const model::Campaign expectedCampaign = [&] {
        const model::Campaign& c = editor.campaign();
        QByteArray json = model::toJson(c);
        const qsizetype start = json.indexOf("\"parameters\"");
        const qsizetype end = json.indexOf("\"objective\"");
        json = json.left(start) + "\"parameters\": [" + expected + "],\n  " + json.mid(end);
        const model::ParseOutcome outcome = model::parseCampaign(json);
        return outcome.campaign.value_or(model::Campaign{});
    }();
    QVERIFY2(!expectedCampaign.parameters.isEmpty(), "the expected row does not parse");
    QCOMPARE(QString::fromUtf8(model::toJson(probe)), QString::fromUtf8(model::toJson(expectedCampaign)));
}

void TestParameterTableModel::rejectedInput()
{
    CampaignEditor editor;
    ParameterTableModel model(&editor);
    QSignalSpy rejected(&model, &ParameterTableModel::inputRejected);
    QVERIFY(!model.setData(model.index(0, Column::Values), u"1, two, 3"_s));
    QCOMPARE(rejected.count(), 1);
    QVERIFY2(rejected.first().first().toString().contains(u"\"two\" is not a whole number"_s),
             qPrintable(rejected.first().first().toString()));
    QVERIFY(!model.setData(model.index(0, Column::Default), u"1.5"_s));
    QCOMPARE(rejected.count(), 2);
    QCOMPARE(editor.undoStack()->count(), 0);
    // Not editable here: a list has no range bounds, the candidate count is derived.
    QVERIFY(!model.setData(model.index(0, Column::Min), u"3"_s));
    QVERIFY(!model.setData(model.index(0, Column::Candidates), u"3"_s));
    QVERIFY(!(model.flags(model.index(0, Column::Min)) & Qt::ItemIsEditable));
}

void TestParameterTableModel::typeAndSourceChanges()
{
    CampaignEditor editor;
    ParameterTableModel model(&editor);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.setData(model.index(0, Column::Source), u"range"_s));
    QCOMPARE(model.index(0, Column::Candidates).data().toString(), u"8"_s);
    QVERIFY(model.setData(model.index(0, Column::Max), u"100"_s));
    QVERIFY(model.setData(model.index(0, Column::Step), QString()));
    QVERIFY(model.setData(model.index(0, Column::Count), u"4"_s));
    QCOMPARE(model.index(0, Column::Values).data().toString(), u"1, 34, 67, 100"_s);
    // Log turns a step into a count: a log range is always given by one.
    QVERIFY(model.setData(model.index(0, Column::Count), QString()));
    QVERIFY(model.setData(model.index(0, Column::Step), u"10"_s));
    QVERIFY(model.setData(model.index(0, Column::Log), Qt::Checked, Qt::CheckStateRole));
    const model::Parameter& p = editor.campaign().parameters.first();
    QVERIFY(p.range && p.range->log && !p.range->step);
    QCOMPARE(p.range->count, std::optional<int>(10));
    QVERIFY(editor.isValid());
    QCOMPARE(model.index(0, Column::Log).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
    // A float range needs no more than the int's implicit step to stay valid.
    QVERIFY(model.setData(model.index(0, Column::Log), Qt::Unchecked, Qt::CheckStateRole));
    QVERIFY(model.setData(model.index(0, Column::Count), QString()));
    QVERIFY(model.setData(model.index(0, Column::Type), u"float"_s));
    QVERIFY2(editor.isValid(), qPrintable(editor.issues().value(0).toString()));
    QCOMPARE(editor.campaign().parameters.first().range->step, std::optional<double>(1.0));
    // A choice takes the range's candidates as its values.
    QVERIFY(model.setData(model.index(0, Column::Max), u"3"_s));
    QVERIFY(model.setData(model.index(0, Column::Type), u"choice"_s));
    QCOMPARE(model.index(0, Column::Values).data().toString(), u"1, 2, 3"_s);
    QVERIFY(!(model.flags(model.index(0, Column::Source)) & Qt::ItemIsEditable));
}

void TestParameterTableModel::issuesMarkCells()
{
    CampaignEditor editor;
    ParameterTableModel model(&editor);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.setData(model.index(0, Column::Values), u"1, 2, 2"_s));
    const QModelIndex values = model.index(0, Column::Values);
    QCOMPARE(values.data(ParameterTableModel::IssueRole).toStringList(), QStringList{u"duplicate of values[1]"_s});
    QCOMPARE(values.data(Qt::ToolTipRole).toString(), u"duplicate of values[1]"_s);
    QVERIFY(values.data(Qt::BackgroundRole).isValid());
    QVERIFY(!model.index(0, Column::Name).data(Qt::BackgroundRole).isValid());
    QVERIFY(model.setData(model.index(0, Column::Name), u"2x"_s));
    QVERIFY(model.index(0, Column::Name).data(Qt::BackgroundRole).isValid());
    editor.undoStack()->undo();
    editor.undoStack()->undo();
    QVERIFY(!values.data(Qt::BackgroundRole).isValid());
    QVERIFY(editor.isValid());
}

void TestParameterTableModel::defaultChoices()
{
    CampaignEditor editor;
    ParameterTableModel model(&editor);
    const QModelIndex defaultCell = model.index(0, Column::Default);
    QCOMPARE(defaultCell.data(ParameterTableModel::ChoicesRole).toStringList(),
             (QStringList{u"1"_s, u"2"_s, u"4"_s, u"8"_s}));
    QCOMPARE(model.index(0, Column::Type).data(ParameterTableModel::ChoicesRole).toStringList(),
             (QStringList{u"int"_s, u"float"_s, u"choice"_s}));
    // 700 candidates (the poster's batch sizes) are all offered; 5000 are typed instead.
    QVERIFY(model.setData(model.index(0, Column::Source), u"range"_s));
    QVERIFY(model.setData(model.index(0, Column::Max), u"700"_s));
    QCOMPARE(defaultCell.data(ParameterTableModel::ChoicesRole).toStringList().size(), 700);
    QCOMPARE(defaultCell.data(ParameterTableModel::ChoicesRole).toStringList().last(), u"700"_s);
    QVERIFY(model.setData(model.index(0, Column::Max), u"5000"_s));
    QVERIFY(defaultCell.data(ParameterTableModel::ChoicesRole).toStringList().isEmpty());
    QVERIFY(model.setData(defaultCell, u"256"_s));
    QCOMPARE(editor.campaign().parameters.first().defaultIndex, std::optional<int>(255));
}

void TestParameterTableModel::cellsForIssuePath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("aboutParameters");
    QTest::addColumn<QList<QPoint>>("cells");
    using M = ParameterTableModel;
    QTest::addRow("elsewhere") << u"search.parallel"_s << false << QList<QPoint>{};
    QTest::addRow("whole table") << u"parameters"_s << true << QList<QPoint>{};
    QTest::addRow("row") << u"parameters[2]"_s << true << QList<QPoint>{{M::Values, 2}};
    QTest::addRow("name") << u"parameters[0].name"_s << true << QList<QPoint>{{M::Name, 0}};
    QTest::addRow("values") << u"parameters[2].values"_s << true << QList<QPoint>{{M::Values, 2}};
    QTest::addRow("one value") << u"parameters[1].values[3]"_s << true << QList<QPoint>{{M::Values, 1}};
    QTest::addRow("range") << u"parameters[1].range"_s << true
                           << QList<QPoint>{{M::Min, 1}, {M::Max, 1}, {M::Step, 1}, {M::Count, 1}};
    QTest::addRow("range count") << u"parameters[4].range.count"_s << true << QList<QPoint>{{M::Count, 4}};
    QTest::addRow("log") << u"parameters[4].range.log"_s << true << QList<QPoint>{{M::Log, 4}};
    QTest::addRow("default") << u"parameters[10].default"_s << true << QList<QPoint>{{M::Default, 10}};
}

void TestParameterTableModel::cellsForIssuePath()
{
    QFETCH(QString, path);
    QFETCH(bool, aboutParameters);
    QFETCH(QList<QPoint>, cells);
    const auto found = ParameterTableModel::cellsForIssuePath(path);
    QCOMPARE(found.has_value(), aboutParameters);
    if (found)
        QCOMPARE(*found, cells);
}

void TestParameterTableModel::parseValueList_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("type");
    QTest::addColumn<QVariantList>("values");
    QTest::addColumn<QString>("error");
    using T = model::ParameterType;
    QTest::addRow("ints") << u" 8, 16 ,32"_s << int(T::Int) << QVariantList{qint64(8), qint64(16), qint64(32)}
                          << QString();
    QTest::addRow("trailing comma") << u"1,2,"_s << int(T::Int) << QVariantList{qint64(1), qint64(2)} << QString();
    QTest::addRow("empty") << u""_s << int(T::Int) << QVariantList{} << QString();
    QTest::addRow("not an int") << u"1, 2.5"_s << int(T::Int) << QVariantList{} << u"\"2.5\" is not a whole number"_s;
    QTest::addRow("floats") << u"1e-4, 0.5, 3"_s << int(T::Float) << QVariantList{0.0001, 0.5, 3.0} << QString();
    QTest::addRow("nan") << u"nan"_s << int(T::Float) << QVariantList{} << u"\"nan\" is not a number"_s;
    QTest::addRow("choices") << u"sgd, adam"_s << int(T::Choice) << QVariantList{u"sgd"_s, u"adam"_s} << QString();
    QTest::addRow("quoted") << uR"("a, b", " c", "say ""hi""", "")"_s << int(T::Choice)
                            << QVariantList{u"a, b"_s, u" c"_s, u"say \"hi\""_s, u""_s} << QString();
    QTest::addRow("open quote") << u"\"a, b"_s << int(T::Choice) << QVariantList{} << u"a quote is not closed"_s;
}

void TestParameterTableModel::parseValueList()
{
    QFETCH(QString, text);
    QFETCH(int, type);
    QFETCH(QVariantList, values);
    QFETCH(QString, error);
    const auto parsed = sweepline::gui::parseValueList(text, model::ParameterType(type));
    if (!error.isEmpty()) {
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error(), error);
        return;
    }
    QVERIFY_RESULT(parsed);
    QCOMPARE(parsed.value(), values);
    for (int i = 0; i < values.size(); ++i)
        QCOMPARE(parsed.value().at(i).typeId(), values.at(i).typeId());
}

void TestParameterTableModel::formatValueListRoundTrips()
{
    const QVariantList choices{u"a, b"_s, u" c"_s, u"say \"hi\""_s, u""_s, u"plain"_s};
    const QString text = formatValueList(choices, model::ParameterType::Choice);
    QCOMPARE(text, uR"("a, b", " c", "say ""hi""", "", plain)"_s);
    QCOMPARE(sweepline::gui::parseValueList(text, model::ParameterType::Choice).value(), choices);
    const QVariantList floats{0.0001, 0.1, 2.0};
    QCOMPARE(sweepline::gui::parseValueList(formatValueList(floats, model::ParameterType::Float),
                                            model::ParameterType::Float)
                 .value(),
             floats);
}

QTEST_GUILESS_MAIN(TestParameterTableModel)
#include "tst_parametertablemodel.moc"
