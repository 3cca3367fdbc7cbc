from eula_parse.cli import main

main()
