# Trial store, metric extraction and exports
sweepline_add_qtest(tst_trialstore SOURCES tst_trialstore.cpp
    LIBRARIES sweepline_model Qt6::Sql LABELS unit)

sweepline_add_qtest(tst_metricextractor SOURCES tst_metricextractor.cpp
    LIBRARIES sweepline_model LABELS unit)

sweepline_add_qtest(tst_curvereader SOURCES tst_curvereader.cpp
    LIBRARIES sweepline_model LABELS unit)

sweepline_add_qtest(tst_trialexport SOURCES tst_trialexport.cpp
    LIBRARIES sweepline_model LABELS unit)

# Writes to a store until it is killed; tst_trialstore_crash kills it at random moments.
add_executable(trialstore_writer trialstore_writer.cpp)
target_link_libraries(trialstore_writer PRIVATE sweepline_model sweepline_warnings)

sweepline_add_qtest(tst_trialstore_crash SOURCES tst_trialstore_crash.cpp
    LIBRARIES sweepline_model LABELS unit)
target_compile_definitions(tst_trialstore_crash PRIVATE TRIALSTORE_WRITER="$<TARGET_FILE:trialstore_writer>")
add_dependencies(tst_trialstore_crash trialstore_writer)

sweepline_add_qtest(tst_trialtablemodel SOURCES tst_trialtablemodel.cpp LIBRARIES sweepline_model LABELS unit)
