"""Requesting material: the researcher's request list, its submission and its delivery.

``lines`` the list in the session and how it reads (grouped by container); ``submit`` the
rate limit and the stored requests; ``delivery`` the email to the reading room and the
Aeon link or form. Pages are in ``archive.request_views``, staff pages in
``archive.admin.requests``.
"""
