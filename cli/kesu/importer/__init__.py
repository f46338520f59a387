"""``kesu import``: a chain's complaint ledgers (投诉登记表, CSV or Excel) brought in as cases.

``table`` reads the file, ``mapping`` says what its columns and cells mean,
``convert`` reads each row into kesu's fields, ``build`` rebuilds each case
through the step engine, and ``run`` checks the whole ledger and writes it as
one commit.
"""
