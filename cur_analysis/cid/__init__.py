"""The Cloud Intelligence Dashboards' views as datasets, one billing period at a time.

``source`` names the CUR columns the views read, ``schema`` their output columns, ``rules`` each
CID rule as a Column expression, ``views`` one transform per view.
"""
