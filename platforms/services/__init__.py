"""Every write to platform connections goes through here, one module per job:
`connections` (connect, disconnect, Meta's callbacks), `refresh` (reading an account's numbers),
`lifecycle` (what happens when a token stops working). Import the module you need, e.g.
`from platforms.services import connections`.
"""
