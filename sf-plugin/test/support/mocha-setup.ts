// Every SfCommand run adds process signal listeners (oclif's cleanup); hundreds of command
// runs in one test process are expected here, not a leak.
process.setMaxListeners(0);
