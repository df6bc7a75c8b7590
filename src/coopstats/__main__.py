from coopstats.cli import main

main()
