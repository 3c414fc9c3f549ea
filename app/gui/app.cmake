add_executable(sweepline main.cpp screenshots.cpp screenshots.h)
target_link_libraries(sweepline PRIVATE sweepline_gui_main sweepline_warnings)
target_compile_definitions(sweepline PRIVATE SWEEPLINE_VERSION="${PROJECT_VERSION}")
install(TARGETS sweepline RUNTIME DESTINATION bin)
