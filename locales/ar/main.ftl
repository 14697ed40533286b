site-name = Amicus
skip-to-content = انتقل إلى المحتوى
nav-main = التنقل الرئيسي
nav-languages = اللغات
nav-library = المكتبة
nav-orgs = المنظمات
nav-new-resource = مورد جديد
nav-login = تسجيل الدخول
nav-logout = تسجيل الخروج ({ $user })
nav-logout-everywhere = تسجيل الخروج من كل الأجهزة
footer-about = مكتبة للعدالة الدولية تديرها المنظمات التي تنشر فيها
footer-source = الشيفرة المصدرية

library-title = مكتبة الموارد
library-intro = مذكرات إحاطة وتقارير وأدلة ومذكرات قانونية وسوابق قضائية ومعاهدات، بالعربية والإنجليزية والفرنسية والإسبانية.
search-label = البحث في المكتبة
search-placeholder = مثلا: الاختفاء القسري، ICC-01/14-01/21
search-button = بحث
search-results-for = نتائج البحث عن «{ $query }»
results-count = { $count ->
    [zero] لا توجد موارد
    [one] مورد واحد
    [two] موردان
    [few] { $count } موارد
    [many] { $count } موردا
   *[other] { $count } مورد
}
no-results = لم يُعثر على شيء. جرّب كلمات أقل أو أزل أحد المرشحات.
facets-label = المرشحات
clear-filters = إزالة جميع المرشحات
facet-type = النوع
facet-theme = الموضوع
facet-mechanism = الآلية
facet-country = البلد
facet-language = اللغة
facet-year = السنة
facet-org = المنظمة
pager-label = الصفحات
pager-prev = الصفحة السابقة
pager-next = الصفحة التالية
feed-library-title = مكتبة Amicus
feed-description = الموارد الجديدة والمحدّثة

also-available-in = متوفر أيضا باللغات
not-available-in-your-language = هذا المورد غير متوفر باللغة { $language }، ويُعرض بلغته الأصلية.
attachments = الملفات
content-warning = تحذير بشأن المحتوى
sensitive = حساس
resource-withdrawn = سحبت الجهة الناشرة هذا المورد.
resource-draft = مسودة: لا يراها إلا أعضاء المنظمة.
status-draft = مسودة
status-published = منشور
status-withdrawn = مسحوب
editor-tools = للمحررين
edit-resource = تعديل المورد
new-resource = مورد جديد
action-publish = نشر
action-withdraw = سحب
action-draft = إعادة إلى المسودة
delete-resource = حذف المورد
delete-warning = الحذف يزيل المورد وترجماته وملفاته نهائيا. لإخفائه مع الاحتفاظ به، اسحبه بدلا من ذلك.
translations = الترجمات
translation-missing = لم يُترجم بعد
section-text = النص باللغة { $language }
section-description = الوصف
section-sensitivity = الحساسية
field-title = العنوان
field-summary = ملخص بلغة مبسطة
field-body = النص
field-org = المنظمة
field-original-language = اللغة الأصلية
field-published = تاريخ النشر
field-audiences = الفئات المستهدفة
field-reading-level = مستوى القراءة
field-authors = المنظمات المؤلفة
field-licence = الترخيص
field-sensitive = حساس: لا يظهر في المعاينات إلا تحذير
field-status = الحالة
field-file = الملف
field-file-language = لغة الملف
field-username = اسم المستخدم
field-password = كلمة المرور
field-role = الدور
field-org-name = الاسم
field-description = الوصف
field-website = الموقع الإلكتروني
field-logo = الشعار
hint-summary = جملة إلى ثلاث جمل قصيرة بلغة مبسطة، { $max } حرفا على الأكثر، دون تفاصيل صادمة.
hint-body = Markdown: سطر فارغ يفصل بين الفقرات، **خط عريض**، [رابط](https://example.org).
hint-authors = منظمة واحدة في كل سطر؛ الأولى هي المؤلفة الرئيسية.
hint-file = PDF أو DOCX أو ODT أو صور أو صوت أو فيديو. تُزال أسماء المؤلفين وبيانات EXIF وGPS من الصور وملفات PDF ومستندات DOCX/ODT، أما ملفات الصوت والفيديو فتبقى بياناتها كما هي.
save = حفظ
upload = رفع
form-has-errors = يرجى تصحيح ما يلي:

orgs-title = المنظمات
no-orgs = لا توجد منظمات بعد.
org-resources = المنشورات
see-all = عرض جميع المنشورات
members = الأعضاء
members-private = لا يرى هذه القائمة إلا أعضاء المنظمة.
edit-profile = تعديل الملف التعريفي
role-admin = مسؤول
role-editor = محرر

login-title = تسجيل الدخول
login-button = دخول
login-wait = محاولات كثيرة جدا لهذا الحساب. انتظر { $seconds } ثانية ثم حاول مرة أخرى. على جهاز سبق أن سجّلت الدخول منه، يمكنك المحاولة فورا.
back-to-library = العودة إلى المكتبة

error-not-found = الصفحة غير موجودة
error-not-found-help = ربما كُتب العنوان خطأ، أو حُذفت الصفحة.
error-gone = لم يعد متاحا
error-gone-help = سحبت الجهة الناشرة هذا المورد.
error-unauthorized = يرجى تسجيل الدخول
error-unauthorized-help = عليك تسجيل الدخول، أو إرسال رمز API صالح، للقيام بذلك.
error-forbidden = غير مسموح
error-forbidden-help = لا يملك حسابك صلاحية القيام بذلك. اطلبها من أحد مسؤولي المنظمة.
error-invalid = بعض الحقول تحتاج إلى تصحيح
error-invalid-help = لم يُحفظ شيء. صحّح الحقول المذكورة وحاول مرة أخرى.
error-conflict = مستخدم من قبل
error-conflict-help = يوجد عنصر بهذا الاسم من قبل. اختر اسما آخر.
error-too-large = الملف كبير جدا
error-too-large-help = حجم الملف أكبر مما يقبله هذا الخادم. اضغطه أو قسّمه ثم حاول مرة أخرى.
error-unsupported-media = نوع الملف هذا غير مقبول
error-unsupported-media-help = الأنواع المقبولة: PDF وDOCX وODT وJPEG وPNG وWebP وGIF وMP3 وOGG وWAV وMP4 وWebM. يُقرأ النوع من محتوى الملف نفسه لا من اسمه.
error-rate-limited = محاولات كثيرة جدا
error-rate-limited-help = محاولات فاشلة كثيرة لهذا الحساب. انتظر خمس عشرة دقيقة ثم حاول مرة أخرى.
error-unavailable = غير متاح مؤقتا
error-unavailable-help = تعذّر الوصول إلى قاعدة البيانات حاليا. لم يضع شيء مما أرسلته من جهتنا؛ حاول مرة أخرى بعد دقيقة.
error-internal = حدث خطأ
error-internal-help = سُجّل الخطأ. حاول مرة أخرى، وإن تكرر فأبلغ مسؤول الخادم.
error-csrf = انتهت صلاحية النموذج
error-csrf-help = حفاظا على أمانك تنتهي صلاحية النماذج. ارجع وأعد تحميل الصفحة ثم أرسله مجددا.
error-bad-form = تعذّرت قراءة النموذج
error-bad-form-help = البيانات المرسلة ناقصة أو تالفة. أعد تحميل الصفحة وحاول مرة أخرى.
error-malformed-json = JSON غير صالح
error-malformed-json-help = متن الطلب ليس JSON صالحا.

err-unknown-term = «{ $value }» ليس مصطلحا من هذه المفردات.
err-unsupported-language = «{ $value }» ليس رمز لغة مدعوما (استخدم ar أو en أو fr أو es).
err-no-translation = اكتب النص بلغة واحدة على الأقل.
err-original-missing = لا يوجد نص باللغة الأصلية ({ $value }).
err-empty-title = العنوان فارغ.
err-too-long = طويل جدا: { $value } حرفا على الأكثر.
err-summary-too-long = الملخص طويل جدا: { $value } حرفا على الأكثر.
err-too-many = قيم كثيرة جدا: { $value } على الأكثر.
err-bad-date = «{ $value }» ليس تاريخا (استخدم الصيغة YYYY-MM-DD).
err-bad-status = «{ $value }» ليست حالة (draft أو published أو withdrawn).
err-bad-handle = لا يصلح «{ $value }» معرّفا: من 2 إلى 30 حرفا لاتينيا صغيرا أو رقما أو _، يبدأ بحرف.
err-bad-username = لا يصلح «{ $value }» اسم مستخدم: من 2 إلى 30 حرفا لاتينيا صغيرا أو رقما أو _ أو .، يبدأ بحرف.
err-empty-name = الاسم فارغ.
err-bad-url = «{ $value }» ليس عنوانا على الويب (http أو https).
err-password-short = كلمة المرور قصيرة جدا: { $value } حرفا على الأقل. بضع كلمات لا رابط بينها تصنع كلمة مرور قوية.
err-login-failed = اسم المستخدم أو كلمة المرور غير صحيحة.
err-no-such-org = لا توجد منظمة باسم «{ $value }».
err-no-such-user = لا يوجد حساب باسم «{ $value }».
err-taken = هذا الاسم مستخدم من قبل.
err-no-file = اختر ملفا لرفعه.
err-bad-file = الملف تالف أو ليس فعلا ملفا من نوع { $value }.
err-bad-pdf = تعذّر فتح ملف PDF هذا لإزالة بياناته الوصفية (قد يكون تالفا أو مشفرا). احفظه من جديد دون كلمة مرور ثم حاول مرة أخرى.
err-image-too-large = الصورة كبيرة جدا: { $value } ميغابكسل على الأكثر. صغّرها ثم حاول مرة أخرى.
err-bad-cursor = «{ $value }» ليس مؤشر صفحة صالحا.
err-json-shape = بنية JSON غير متوقعة: { $value }

cli-created-user = أُنشئ الحساب { $user } ({ $role })
cli-created-org = أُنشئت المنظمة { $address }
cli-member-added = أصبح { $user } بدور { $role } في { $org }
cli-exported = صُدّر { $count } من الموارد
cli-import-summary = استُورد { $created } جديدا، وحُدّث { $updated }، و{ $errors } سطرا فيها أخطاء
cli-import-line = السطر { $line }: { $reason }
cli-import-failed = لم يُستورد { $count } من الأسطر
cli-cannot-open = تعذّر فتح { $file }: { $reason }
cli-listening = يعمل Amicus { $version } على http://{ $bind } باسم { $url }
cli-database = قاعدة البيانات: { $kind }
cli-no-accounts = لا توجد حسابات بعد. أنشئ أول مسؤول بالأمر:
cli-taken = { $field } مستخدم من قبل
err-import-not-json = مورد غير صالح: { $value }
err-import-no-external-id = الحقل external_id مفقود، وهو ما يتيح لإعادة الاستيراد تحديث المورد بدلا من تكراره.
followers-count = { $count ->
    [zero] لا متابعين
    [one] متابع واحد
    [two] متابعان
    [few] { $count } متابعين
    [many] { $count } متابعا
   *[other] { $count } متابع
}

error-bad-activity = تعذّر قبول النشاط
error-bad-activity-help = بنيته غير صحيحة، أو يذكر عناصر لا تخص مرسله.
error-remote-unreachable = تعذّر الوصول إلى الخادم الآخر
error-remote-unreachable-help = ربما يكون متوقفا أو بطيئا. حاول لاحقا.
error-remote-refused = هذا الخادم غير مسموح به
error-remote-refused-help = لا يتبادل هذا الخادم البيانات مع هذا العنوان.
activity-ignored = قُبل وتُجوهل
activity-ignored-help = لا يُعالج هذا النوع من الأنشطة هنا.
err-bad-target = «{ $value }» ليس عنوانا من قبيل name@server.example ولا عنوانا على الويب.
err-target-not-found = لم يُعثر على حساب «{ $value }».
err-target-local = «{ $value }» موجود على هذا الخادم أصلا.
resource-remote = نُشر على خادم آخر تتابعه إحدى المنظمات هنا:
cli-delivery-status = عمليات التسليم: { $pending } قيد الانتظار، و{ $failed } فاشلة، و{ $done } مُسلّمة. حسب الخادم (قيد الانتظار / فاشلة):
cli-host-dead = (متوقف: يُتجاوز حتى إعادة المحاولة)
cli-retried = { $host }: أُعيد إدراج { $count } من عمليات التسليم
cli-blocked = حُظر { $domain }: لا يُرسل إليه شيء ولا يُجلب منه ولا يُقبل منه شيء
cli-allowed = سُمح بـ { $domain } (يُعتدّ بذلك في وضع الشركاء فقط)
cli-forgotten = لم تعد هناك قاعدة لـ { $domain }
err-bad-domain = «{ $value }» ليس اسم نطاق.
err-target-refused = «{ $value }» على خادم لا يتبادل معه هذا الخادم.
federation-title = المتابِعون والمتابَعون
followers-pending = طلبات المتابعة
followers-automatic = يُقبل المتابعون الجدد تلقائيا؛ فعّل «الموافقة على المتابعين» في نموذج الملف التعريفي لمراجعتهم أولا.
no-pending = لا توجد طلبات معلقة.
approve = موافقة
reject = رفض
follow-someone = متابعة منظمة
follow-target = العنوان على Amicus أو على أي خادم في الفديفرس (name@server.example) أو عنوانه على الويب
follow-button = متابعة
field-manual-approval = الموافقة على المتابعين قبل أن يروا منشوراتنا
admin-federation-title = الاتحاد
admin-deliveries = عمليات التسليم: { $pending } قيد الانتظار، و{ $failed } فاشلة، و{ $done } مُسلّمة.
admin-host = الخادم
admin-pending = قيد الانتظار
admin-failed = فاشلة
admin-dead = متعذّر الوصول منذ أيام: يُتجاوز
admin-retry = أعد المحاولة الآن
admin-all-delivered = سُلّم كل شيء.
admin-rules = قواعد الاتحاد

share-title = المشاركة مع المتابعين
share-as = المشاركة باسم
share-as-one = المشاركة باسم { $org }
action-share = مشاركة
shared-done = تمت المشاركة مع متابعي { $org }.
shared-nobody = لا أحد يتابع { $org } بعد: لم يُرسل شيء.
