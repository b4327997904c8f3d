from dbexpert.cli.main import main

main()
