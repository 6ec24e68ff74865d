"""The list filters of the contract and signing-request admin pages."""

from __future__ import annotations

from django.contrib import admin

from contracts import selectors


class ReadyFilter(admin.SimpleListFilter):
    title = "送信の条件"
    parameter_name = "ready"

    def lookups(self, request, model_admin):
        return [("1", "送信できる")]

    def queryset(self, request, queryset):
        return selectors.ready_to_send(queryset) if self.value() == "1" else queryset


class ProblemFilter(admin.SimpleListFilter):
    title = "エラー"
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [("1", "送信・同期エラーあり")]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        return selectors.with_problems(queryset)
