"""Every write and status change on briefs, applications, invitations and collaborations.

Split by flow: briefs, applications, invitations, collaborations (acceptance and the
workspace), and conversation (messages, disputes, ratings). Views, the API and tasks call
these functions only.
"""
