from habitcore_telegram.app import main

main()
