"""The law as data and small calculators: adequacy list, rights per legal basis, deadlines.

Nothing here knows about YAML registries, databases or the web; the registry checker and the
engines ask these modules what the law says.
"""
