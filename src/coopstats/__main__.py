from coopstats.script import main  # first: it installs the Ctrl-C handler

main()
