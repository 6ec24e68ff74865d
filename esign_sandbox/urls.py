from django.urls import path, re_path

from esign_sandbox import api, pages

app_name = "esign_sandbox"

D = "documents/<str:document_id>"

urlpatterns = [
    path("token", api.endpoint({"POST": api.token, "GET": api.token}, auth=False), name="token"),
    path("me", api.endpoint({"GET": api.me}), name="me"),
    path(
        "documents",
        api.endpoint({"GET": api.list_documents, "POST": api.create_document}),
        name="documents",
    ),
    path(
        D,
        api.endpoint(
            {
                "GET": api.get_document,
                "PUT": api.update_document,
                "POST": api.send_document,
                "DELETE": api.delete_document,
            }
        ),
        name="document",
    ),
    path(f"{D}/decline", api.endpoint({"PUT": api.decline_document}), name="decline"),
    path(f"{D}/certificate", api.endpoint({"GET": api.certificate}), name="certificate"),
    path(f"{D}/files", api.endpoint({"POST": api.add_file}), name="files"),
    path(
        f"{D}/files/<str:file_id>",
        api.endpoint({"GET": api.get_file, "DELETE": api.delete_file}),
        name="file",
    ),
    path(
        f"{D}/files/<str:file_id>/widgets", api.endpoint({"POST": api.add_widget}), name="widgets"
    ),
    path(f"{D}/participants", api.endpoint({"POST": api.add_participant}), name="participants"),
    path(
        f"{D}/participants/<str:participant_id>",
        api.endpoint({"PUT": api.update_participant, "DELETE": api.remove_participant}),
        name="participant",
    ),
    path(f"{D}/reportees", api.endpoint({"POST": api.add_reportee}), name="reportees"),
    path(
        f"{D}/reportees/<str:reportee_id>",
        api.endpoint({"PUT": api.update_reportee, "DELETE": api.remove_reportee}),
        name="reportee",
    ),
    # The sandbox CA: its certificate and its CRL (also embedded in every signed PDF's DSS).
    path("pki/ca.pem", pages.ca_certificate, name="ca_pem"),
    path("pki/ca.crl", pages.ca_crl, name="ca_crl"),
    path("pki/ocsp", pages.ocsp, name="ocsp"),
    re_path(r"^pki/ocsp/(?P<encoded>[\s\S]+)$", pages.ocsp, name="ocsp_get"),
    path("pki/tsa", pages.tsa, name="tsa"),
    # What recipients see: the links in the sandbox's e-mails.
    path("sign/<str:token>/", pages.sign, name="sign"),
    path("sign/<str:token>/files/<str:file_id>/", pages.sign_file, name="sign_file"),
    # Anything else (templates, attachments, attributes, …): the specification's JSON 404.
    # (any character, a newline — %0A — included: never Django's HTML 404)
    re_path(r"^(?P<path>[\s\S]*)$", api.unknown_route, name="unknown"),
]
