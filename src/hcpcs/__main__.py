"""python -m hcpcs"""

from hcpcs.cli import main

main()
