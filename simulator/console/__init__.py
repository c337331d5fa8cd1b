"""The kubectl console (issue 17), without Django: the command line (`commandline`), what may
run (`policy`), the filters of a pipe (`filters`), running the real kubectl (`runner`) and one
student's console (`session`)."""
